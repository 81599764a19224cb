import { Router } from 'express';

export const ordersRouter = Router();

ordersRouter.get('/', async (req, res) => {
  res.json({ data: [], next_cursor: null, has_more: false });
});

ordersRouter.get('/:orderId', async (req, res) => {
  res.status(404).json({ error: 'Order not found' });
});
