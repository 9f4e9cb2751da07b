import { Module, type DynamicModule } from '@nestjs/common';
import { REGISTRY_CONFIG, type RegistryConfig } from './config.js';
import { PrismaService } from './database/prisma.service.js';
import { ChangeFeed } from './database/change-feed.js';
import { AuthService } from './auth/auth.service.js';
import { WriteGate } from './http/write-gate.js';
import { TokenRepository } from './tokens/token.repository.js';
import { TokenService } from './tokens/token.service.js';
import { TokenController } from './tokens/token.controller.js';
import { ComponentRepository } from './components/component.repository.js';
import { ComponentService } from './components/component.service.js';
import { ComponentController } from './components/component.controller.js';
import { HealthController } from './health/health.controller.js';
import { webControllers, webProviders } from './web/index.js';

@Module({})
export class AppModule {
  /** `config.databaseUrl` must be set: the embedded database, if any, is started before the module. */
  static forConfig(config: RegistryConfig): DynamicModule {
    return {
      module: AppModule,
      controllers: [ComponentController, TokenController, HealthController, ...(config.web ? webControllers : [])],
      providers: [
        { provide: REGISTRY_CONFIG, useValue: config },
        PrismaService,
        ChangeFeed,
        AuthService,
        WriteGate,
        TokenRepository,
        TokenService,
        ComponentRepository,
        ComponentService,
        ...(config.web ? webProviders : []),
      ],
    };
  }
}
