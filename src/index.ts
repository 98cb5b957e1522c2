/** impact-in's public API for domain services: the typed publisher and the event contract. */
export { createImpactPublisher, type ImpactPublisher, type NewImpactEvent } from './publisher/publisher.ts';
export { impactEventSchema, EVENT_KINDS, type ImpactEvent, type EventKind } from './domain/event.ts';
export { deliveryResultSchema, type DeliveryResult } from './domain/delivery-result.ts';
export { loadKafkaConfig, type KafkaConfig } from './config/config.ts';
