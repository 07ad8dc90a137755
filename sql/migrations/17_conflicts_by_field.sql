-- 17: conflicts looked up by record and field.
--
-- Why: a poll that sees the same Salesforce version again (the drift re-poll
-- of a window, a rewound watermark, a reconcile) while the Postgres change is
-- still unsent decided the same conflict again and recorded it a second time.
-- The apply now records a decision only when the last one recorded for that
-- record and field differs in either value or in the decision
-- (src/tasks/inbound/apply-conflicts.ts); this index is that lookup.
create index conflicts_by_field on conflicts (mapping_id, sfid, field, id desc);
