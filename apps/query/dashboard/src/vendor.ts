/**
 * Chart.js and the socket.io client, loaded by their own <script> tags from /vendor (served by this
 * service from node_modules, so the page works offline); typed from their packages.
 */
import type { Chart as ChartClass } from 'chart.js';
import type { io as ioFunction } from 'socket.io-client';

const scope = globalThis as unknown as { Chart: typeof ChartClass; io: typeof ioFunction };

export const Chart = scope.Chart;
export const io = scope.io;
export type { Chart as ChartInstance } from 'chart.js';
export type { Socket } from 'socket.io-client';
