package bench;

import java.nio.charset.StandardCharsets;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.main.Main;

/**
 * The plain Camel route bench/camel.bench.ts compares impact-in's Goodera deliverer with:
 *
 * <pre>
 *   kafka:CAMEL_IN_TOPIC → POST ${GOODERA_URL}/v1/impact-records → kafka:CAMEL_OUT_TOPIC
 * </pre>
 *
 * Each record's value is already a Goodera impact-record JSON body; it is POSTed as it is, with
 * {@code x-api-key} (the record's own {@code x-api-key} Kafka header if it has one, so each tenant
 * uses its own key, else GOODERA_API_KEY) and {@code idempotency-key} (the record's Kafka key); the
 * response body is produced to the output topic under the same key. Nothing more: no idempotency
 * store, no outbox, no retries beyond Camel's defaults, no batching — a Goodera connector the way a
 * plain integration route would be written. Camel-kafka's defaults hold otherwise: one consumer
 * thread per partition ({@code consumersCount}), each handling its records one at a time, offsets
 * auto-committed; the producer waits for acks=all.
 *
 * <p>Environment: KAFKA_BROKERS, CAMEL_IN_TOPIC, CAMEL_OUT_TOPIC, CAMEL_GROUP_ID (default
 * {@code camel-bench}), CAMEL_CONSUMERS (default 6), GOODERA_URL, GOODERA_API_KEY. Run:
 *
 * <pre>
 *   mvn -q -f bench/camel/pom.xml package -DskipTests
 *   KAFKA_BROKERS=127.0.0.1:9092 CAMEL_IN_TOPIC=in CAMEL_OUT_TOPIC=out GOODERA_URL=http://127.0.0.1:4001 \
 *     GOODERA_API_KEY=key java -jar bench/camel/target/camel-bench.jar
 * </pre>
 */
public final class CamelRoute extends RouteBuilder {

  /** The value of a required environment variable; a missing one stops the start. */
  private static String env(String name) {
    String value = System.getenv(name);
    if (value == null || value.isBlank()) throw new IllegalStateException(name + " is required");
    return value;
  }

  private static String env(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? fallback : value;
  }

  @Override
  public void configure() {
    String brokers = env("KAFKA_BROKERS");
    String apiKey = env("GOODERA_API_KEY", "");
    String gooderaUrl = env("GOODERA_URL").replaceAll("/+$", "");

    from("kafka:" + env("CAMEL_IN_TOPIC")
            + "?brokers=" + brokers
            + "&groupId=" + env("CAMEL_GROUP_ID", "camel-bench")
            + "&consumersCount=" + env("CAMEL_CONSUMERS", "6")
            + "&autoOffsetReset=earliest")
        .routeId("goodera-plain")
        .process(exchange -> {
          var message = exchange.getMessage();
          String key = message.getHeader(KafkaConstants.KEY, String.class);
          // Kafka headers arrive as bytes.
          byte[] tenantKey = message.getHeader("x-api-key", byte[].class);
          // camel-http sends every message header as an HTTP header: keep only the ones Goodera reads.
          message.removeHeaders("*");
          exchange.setVariable("key", key);
          message.setHeader("x-api-key", tenantKey != null ? new String(tenantKey, StandardCharsets.UTF_8) : apiKey);
          message.setHeader("idempotency-key", key);
          message.setHeader(Exchange.CONTENT_TYPE, "application/json");
        })
        .to(gooderaUrl + "/v1/impact-records?httpMethod=POST")
        .process(exchange -> {
          var message = exchange.getMessage();
          // The response's HTTP headers would otherwise become Kafka headers.
          message.removeHeaders("*");
          message.setHeader(KafkaConstants.KEY, exchange.getVariable("key"));
        })
        .to("kafka:" + env("CAMEL_OUT_TOPIC") + "?brokers=" + brokers);
  }

  public static void main(String[] args) throws Exception {
    Main main = new Main();
    main.configure().addRoutesBuilder(new CamelRoute());
    main.run(args);
  }
}
