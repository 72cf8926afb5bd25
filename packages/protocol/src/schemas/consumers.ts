import { type Static, Type } from '@sinclair/typebox';
import { Id, LIMITS, Meta, Name, Nullable, Page, PageQueryFields, Timestamp } from './common.js';
import { Credits, CreditsInput, RateLimits, RateLimitView } from './limits.js';

/** The provider's own id for its customer; unique per workspace. */
export const ExternalId = Type.String({
  minLength: 1,
  maxLength: LIMITS.nameLength,
  description: "The provider's own id for its customer (unique per workspace)",
});

const ConsumerFields = {
  name: Type.Optional(Nullable(Name)),
  meta: Type.Optional(Nullable(Meta)),
  /** Limits shared by all of the consumer's keys. */
  ratelimits: Type.Optional(RateLimits),
  /** A quota shared by all of the consumer's keys; null removes it. */
  credits: Type.Optional(Nullable(CreditsInput)),
};

export const CreateConsumerBody = Type.Object(
  { externalId: ExternalId, ...ConsumerFields },
  { additionalProperties: false },
);
export type CreateConsumerBody = Static<typeof CreateConsumerBody>;

export const UpdateConsumerBody = Type.Object(
  { externalId: Type.Optional(ExternalId), ...ConsumerFields },
  { additionalProperties: false },
);
export type UpdateConsumerBody = Static<typeof UpdateConsumerBody>;

export const ConsumerView = Type.Object({
  id: Id,
  externalId: Type.String(),
  name: Nullable(Type.String()),
  meta: Nullable(Meta),
  ratelimits: Type.Array(RateLimitView),
  credits: Nullable(Credits),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type ConsumerView = Static<typeof ConsumerView>;

export const ListConsumersQuery = Type.Object(
  { ...PageQueryFields, externalId: Type.Optional(ExternalId) },
  { additionalProperties: false },
);
export type ListConsumersQuery = Static<typeof ListConsumersQuery>;

export const ConsumerPage = Page(ConsumerView);
export type ConsumerPage = Static<typeof ConsumerPage>;
