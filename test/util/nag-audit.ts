import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, NIST80053R5Checks, type NagPack } from 'cdk-nag';
import type { IConstruct } from 'constructs';

/** One cdk-nag finding: a rule (granular `[...]` form where the rule reports one) that fired on a resource. */
export interface NagFinding {
  readonly ruleId: string;
  /** Construct path of the CfnResource the rule fired on. */
  readonly path: string;
  /** Whether an acknowledgement on the resource or one of its ancestors covers it. */
  readonly acknowledged: boolean;
}

/** One `Validations.of(construct).acknowledge({ id, reason })`, as recorded in the construct metadata. */
export interface NagAcknowledgement {
  readonly id: string;
  readonly reason: string;
  /** Construct path of the acknowledging construct. */
  readonly path: string;
}

/** The packs the recipe app runs (lib/app.ts), fresh instances for an audit. */
export function recipeNagPacks(): NagPack[] {
  return [new AwsSolutionsChecks(), new NIST80053R5Checks()];
}

type AckCheck = (resource: IConstruct, ruleId: string) => boolean;

/**
 * Every finding `packs` report on `scope`, acknowledged or not. cdk-nag 3 calls its private
 * `isAcknowledged(resource, ruleId)` exactly once per finding (after the rule returned
 * NON_COMPLIANT or granular findings, or threw) and drops the finding from its report when that
 * returns true, so neither the validation report nor the metadata says which findings an
 * acknowledgement hid; the audit records each call instead. Run it on a synthesized tree, so that
 * aspects have run as they do before validation.
 */
export function nagFindings(scope: IConstruct, packs: NagPack[] = recipeNagPacks()): NagFinding[] {
  const findings: NagFinding[] = [];
  for (const pack of packs) {
    const target = pack as unknown as { isAcknowledged: AckCheck };
    const original: unknown = target.isAcknowledged;
    if (typeof original !== 'function') throw new Error(`cdk-nag ${pack.name} has no isAcknowledged: the audit needs updating for this cdk-nag version`);
    const check = (original as AckCheck).bind(pack);
    target.isAcknowledged = (resource, ruleId) => {
      const acknowledged = check(resource, ruleId);
      findings.push({ ruleId, path: resource.node.path, acknowledged });
      return acknowledged;
    };
    try {
      pack.validateScope(scope);
    } finally {
      delete (target as Partial<typeof target>).isAcknowledged;
    }
  }
  return findings;
}

/** Every acknowledgement recorded on `scope` and its descendants. */
export function nagAcknowledgements(scope: IConstruct): NagAcknowledgement[] {
  return scope.node.findAll().flatMap((c) => c.node.metadata
    .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY && m.data)
    .flatMap((m) => Object.entries(m.data as Record<string, string>).map(([key, reason]) => ({
      // aws-cdk-lib stores `Annotation::<id>` (cdk-nag strips the prefix the same way).
      id: key.replace(/^annotation::/i, ''), reason, path: c.node.path,
    }))));
}

/**
 * The acknowledgements of `scope` that match no finding: cdk-nag honours an acknowledgement for a
 * finding whose rule ID equals its ID exactly and whose resource is the acknowledging construct or
 * one of its descendants. Only IDs of the audited packs (`<pack name>-...`) are checked.
 */
export function unusedNagAcknowledgements(scope: IConstruct, packs: NagPack[] = recipeNagPacks()): NagAcknowledgement[] {
  const prefixes = packs.map((p) => `${p.readPackName}-`);
  const findings = nagFindings(scope, packs);
  return nagAcknowledgements(scope)
    .filter((a) => prefixes.some((p) => a.id.startsWith(p)))
    .filter((a) => !findings.some((f) => f.ruleId === a.id && (f.path === a.path || f.path.startsWith(`${a.path}/`))));
}
