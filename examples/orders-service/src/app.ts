import express from 'express';
import { ordersRouter } from './orders';

export const app = express();
app.use(express.json());
app.use('/orders', ordersRouter);
