// Each integration file talks to Kafka from the test process too: the same fix of kafkajs's
// negative timer as in the service (see src/kafka/kafkajs/node-warnings.ts).
import { patchKafkajsNegativeTimeout } from '../../src/kafka/kafkajs/node-warnings.ts';

patchKafkajsNegativeTimeout();
