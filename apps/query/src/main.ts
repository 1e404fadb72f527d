import 'reflect-metadata';
import { exitOnStartupError } from '@reeltime/observability';
import { bootstrap } from './bootstrap';

bootstrap().catch(exitOnStartupError);
