/** The one PrismaClient of the service, on the `pg` driver adapter (no native query engine). */
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client.js';
import { REGISTRY_CONFIG, type RegistryConfig } from '../config.js';

@Injectable()
export class PrismaService extends PrismaClient implements OnModuleDestroy {
  constructor(@Inject(REGISTRY_CONFIG) config: RegistryConfig) {
    if (!config.databaseUrl) throw new Error('PrismaService needs a database URL (the embedded database starts first)');
    // a burst of writes queues for the 20 connections: wait for one (up to 10 s) rather than fail at Prisma's 2 s
    super({ adapter: new PrismaPg({ connectionString: config.databaseUrl, max: 20 }), transactionOptions: { maxWait: 10_000, timeout: 15_000 } });
  }

  async onModuleDestroy(): Promise<void> {
    await this.$disconnect();
  }
}
