/**
 * The one place the Kafka and Cassandra versions are pinned. `npm start` and the integration tests
 * fetch these from Maven Central; docker-compose.yml runs the images of the same versions
 * (versions.spec.ts fails when its image lines say otherwise), so both ways of running reeltime test
 * against the same servers, to the patch.
 */
export const KAFKA_VERSION = '4.1.1';
export const CASSANDRA_VERSION = '5.0.8';
/** The SLF4J binding Kafka's tarball ships but its POM leaves out (see kafka-server.ts). */
export const LOG4J_VERSION = '2.24.3';

/** The official images of the same versions, as docker-compose.yml names them. */
export const KAFKA_IMAGE = `apache/kafka:${KAFKA_VERSION}`;
export const CASSANDRA_IMAGE = `cassandra:${CASSANDRA_VERSION}`;
