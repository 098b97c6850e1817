-- Campaign progress (per reviewer, per decision and remediation) counted from the index alone.
CREATE INDEX items_tally ON review_items (campaign_id, reviewer, decision, remediation_status, self_review, original_reviewer);
