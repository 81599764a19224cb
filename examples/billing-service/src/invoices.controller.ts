import { Body, Controller, ForbiddenException, Get, HttpException, Param, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import * as jwt from 'jsonwebtoken';
import type { Response } from 'express';
import { JwtAuthGuard } from './jwt.guard';
import { PrismaService } from './prisma.service';

@Controller('invoices')
@UseGuards(JwtAuthGuard)
export class InvoicesController {
  constructor(private readonly prisma: PrismaService) {}

  @Get()
  async list(@Query('page') page = 1) {
    const all = await this.prisma.invoice.findMany();
    return all.slice((page - 1) * 20, page * 20);
  }

  @Post()
  async create(@Body() body: any) {
    if (body.amount <= 0) throw new HttpException('Amount must be positive', 400);
    return this.prisma.invoice.create({ data: body });
  }

  @Get(':invoiceId')
  async show(@Req() req: any, @Param('invoiceId') invoiceId: string) {
    if (!req.user) throw new ForbiddenException();
    if (!req.user.roles.includes('billing')) throw new ForbiddenException();
    return this.prisma.invoice.findUnique({ where: { id: invoiceId } });
  }

  @Post(':invoiceId/share')
  async share(@Param('invoiceId') invoiceId: string, @Res() res: Response) {
    const token = jwt.sign({ invoiceId }, process.env.SHARE_SECRET!);
    res.cookie('share_token', token);
    res.status(201).json({ url: `/shared/${invoiceId}` });
  }
}
