import { Body, Controller, Get, Post } from '@nestjs/common';

interface Order {
  id: number;
  sku: string;
  quantity: number;
}

@Controller('orders')
export class OrdersController {
  private readonly orders: Order[] = [];

  @Get()
  list(): Order[] {
    return this.orders;
  }

  @Post()
  create(@Body() body: { sku?: string; quantity?: number }): Order {
    const order = { id: this.orders.length + 1, sku: String(body.sku ?? ''), quantity: Number(body.quantity ?? 1) };
    this.orders.push(order);
    return order;
  }
}
