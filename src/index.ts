/** impact-in's public API for domain services: the typed publisher and the event contract. */
export {
  createImpactPublisher,
  loadPublisherConfig,
  type ImpactPublisher,
  type NewImpactEvent,
  type PublisherConfig,
} from './publisher/publisher.ts';
export { impactEventSchema, EVENT_KINDS, type ImpactEvent, type EventKind } from './domain/event.ts';
export { deliveryResultSchema, type DeliveryResult } from './domain/delivery-result.ts';
export { loadKafkaConfig, loadRegistryConfig, type KafkaConfig, type RegistryConfig } from './config/config.ts';
export { createLogger, type Logger } from './observability/logger.ts';
