/** kafkajs's table of Kafka protocol error codes; not part of its typed API, hence declared here. */
declare module 'kafkajs/src/protocol/error' {
  export const errorCodes: ReadonlyArray<{ type: string; code: number; retriable: boolean; message: string }>;
}
