// Each integration file talks to Kafka from the test process too: drop kafkajs's known
// TimeoutNegativeWarning there as the service does (see src/kafka/kafkajs/node-warnings.ts).
import { silenceKafkajsTimeoutWarning } from '../../src/kafka/kafkajs/node-warnings.ts';

silenceKafkajsTimeoutWarning();
