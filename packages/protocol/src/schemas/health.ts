import { type Static, Type } from '@sinclair/typebox';

export const HealthResponse = Type.Object({ status: Type.Literal('ok') });
export type HealthResponse = Static<typeof HealthResponse>;

export const DependencyState = Type.Union([Type.Literal('up'), Type.Literal('down')]);

/** `/readyz` when every dependency is up (503 problem+json with `checks` otherwise). */
export const ReadinessResponse = Type.Object({
  status: Type.Literal('ready'),
  checks: Type.Record(Type.String(), DependencyState),
});
export type ReadinessResponse = Static<typeof ReadinessResponse>;
