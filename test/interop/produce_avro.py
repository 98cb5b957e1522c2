#!/usr/bin/python3
"""An independent producer for the interop scenario.

Confluent's Python client (Debian's python3-confluent-kafka, librdkafka underneath) serializes
impact events with its schema-registry Avro serializer and publishes them — none of impact-in's
code is involved. Messages are keyed "<tenant>:<employee id>" as the typed publisher keys them.

Reads one JSON event per line on stdin, writes the number produced on stdout; exits 1 naming
the first delivery error.
"""
import argparse
import json
import sys

from confluent_kafka import Producer
from confluent_kafka.avro import CachedSchemaRegistryClient, loads
from confluent_kafka.avro.serializer.message_serializer import MessageSerializer


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--brokers", required=True)
    parser.add_argument("--registry", required=True, help="Confluent-compatible schema registry base URL")
    parser.add_argument("--topic", required=True)
    parser.add_argument("--schema", required=True, help="path of the .avsc the values are written with")
    args = parser.parse_args()

    with open(args.schema, encoding="utf-8") as handle:
        schema = loads(handle.read())
    # Registers the schema under "<topic>-value" (or finds its id) and frames each value in the
    # Confluent wire format: magic byte 0, 4-byte schema id, Avro binary.
    serializer = MessageSerializer(CachedSchemaRegistryClient({"url": args.registry}))
    producer = Producer({"bootstrap.servers": args.brokers, "enable.idempotence": True})
    errors = []

    def on_delivery(error, _message):
        if error is not None:
            errors.append(error)

    produced = 0
    for line in sys.stdin:
        if not line.strip():
            continue
        event = json.loads(line)
        value = serializer.encode_record_with_schema(args.topic, schema, event)
        key = f"{event['tenantId']}:{event['subject']['employeeId']}".encode("utf-8")
        producer.produce(args.topic, value=value, key=key, on_delivery=on_delivery)
        producer.poll(0)
        produced += 1
    remaining = producer.flush(30)
    if errors or remaining:
        print(f"delivery failed: {errors[0] if errors else f'{remaining} messages not acknowledged'}", file=sys.stderr)
        return 1
    print(produced)
    return 0


if __name__ == "__main__":
    sys.exit(main())
