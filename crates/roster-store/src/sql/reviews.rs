//! Access review campaigns: definition, items frozen at launch, decisions (refused after the
//! reviewer's sign-off or once the campaign left `launched`), sign-offs, remediation and its
//! verification. Every state change is a conditional update, so two callers never both win.

use roster_core::review::{CampaignStatus, Decision, RemediationStatus};
use sqlx::Row;

use super::SqlStore;
use crate::types::{Advised, ItemDecision, ItemsFrom, Remediation, ReviewCampaign, ReviewItem, ReviewTally};
use crate::{Result, StoreError};

const CAMPAIGN_COLUMNS: &str =
    "id, account, name, spec, status, created_by, created_ms, due_ms, launched_ms, sync_id, snapshot_ms, closed_ms, plan_id,
    items_moved";
const ITEM_COLUMNS: &str =
    "id, campaign_id, seq, user_id, user_email, user_name, user_status, user_role, user_last_activity_ms,
    user_custom_role, entitlement, resource_name, source, resource_kind, left_team, sod_rules, reviewer, original_reviewer, self_review, decision, decided_by, decided_ms,
    justification, remediation_action, remediation_status, remediation_note, applied_ms, verified_absent_ms";

fn campaign_row(r: &sqlx::any::AnyRow) -> Result<ReviewCampaign> {
    let q = StoreError::query("read review campaign");
    Ok(ReviewCampaign {
        id: r.try_get("id").map_err(&q)?,
        account: r.try_get("account").map_err(&q)?,
        name: r.try_get("name").map_err(&q)?,
        spec: r.try_get("spec").map_err(&q)?,
        status: {
            let s: String = r.try_get("status").map_err(&q)?;
            CampaignStatus::parse(&s).ok_or_else(|| StoreError::Corrupt(format!("campaign status {s:?}")))?
        },
        created_by: r.try_get("created_by").map_err(&q)?,
        created_ms: r.try_get("created_ms").map_err(&q)?,
        due_ms: r.try_get("due_ms").map_err(&q)?,
        launched_ms: r.try_get("launched_ms").map_err(&q)?,
        sync_id: r.try_get("sync_id").map_err(&q)?,
        snapshot_ms: r.try_get("snapshot_ms").map_err(&q)?,
        closed_ms: r.try_get("closed_ms").map_err(&q)?,
        plan_id: r.try_get("plan_id").map_err(&q)?,
        items_moved: r.try_get("items_moved").map_err(&q)?,
    })
}

/// A stored decision (NULL: undecided).
fn decision(r: &sqlx::any::AnyRow) -> Result<Option<Decision>> {
    let d: Option<String> = r.try_get("decision").map_err(StoreError::query("read decision"))?;
    d.map(|d| Decision::parse(&d).ok_or_else(|| StoreError::Corrupt(format!("review decision {d:?}")))).transpose()
}

/// A stored remediation status (NULL: none yet).
fn remediation(r: &sqlx::any::AnyRow) -> Result<Option<RemediationStatus>> {
    let s: Option<String> = r.try_get("remediation_status").map_err(StoreError::query("read remediation"))?;
    s.map(|s| RemediationStatus::parse(&s).ok_or_else(|| StoreError::Corrupt(format!("remediation status {s:?}"))))
        .transpose()
}

fn item_row(r: &sqlx::any::AnyRow) -> Result<ReviewItem> {
    let q = StoreError::query("read review item");
    Ok(ReviewItem {
        id: r.try_get("id").map_err(&q)?,
        campaign_id: r.try_get("campaign_id").map_err(&q)?,
        seq: r.try_get("seq").map_err(&q)?,
        user_id: r.try_get("user_id").map_err(&q)?,
        user_email: r.try_get("user_email").map_err(&q)?,
        user_name: r.try_get("user_name").map_err(&q)?,
        user_status: r.try_get("user_status").map_err(&q)?,
        user_role: r.try_get("user_role").map_err(&q)?,
        user_last_activity_ms: r.try_get("user_last_activity_ms").map_err(&q)?,
        user_custom_role: r.try_get("user_custom_role").map_err(&q)?,
        entitlement: r.try_get("entitlement").map_err(&q)?,
        resource_name: r.try_get("resource_name").map_err(&q)?,
        source: r.try_get("source").map_err(&q)?,
        resource_kind: r.try_get("resource_kind").map_err(&q)?,
        left_team: r.try_get("left_team").map_err(&q)?,
        sod_rules: r.try_get("sod_rules").map_err(&q)?,
        reviewer: r.try_get("reviewer").map_err(&q)?,
        original_reviewer: r.try_get("original_reviewer").map_err(&q)?,
        self_review: r.try_get::<i64, _>("self_review").map_err(&q)? != 0,
        decision: decision(r)?,
        decided_by: r.try_get("decided_by").map_err(&q)?,
        decided_ms: r.try_get("decided_ms").map_err(&q)?,
        justification: r.try_get("justification").map_err(&q)?,
        remediation_action: r.try_get("remediation_action").map_err(&q)?,
        remediation_status: remediation(r)?,
        remediation_note: r.try_get("remediation_note").map_err(&q)?,
        applied_ms: r.try_get("applied_ms").map_err(&q)?,
        verified_absent_ms: r.try_get("verified_absent_ms").map_err(&q)?,
    })
}

/// Rows per INSERT when a campaign is launched. Larger statements used to get slower (500 rows:
/// 19.1 s for 200,000 items) because SQLite looked each `$N` parameter's name up in a list; with
/// anonymous places (`writes::multi_insert`) `cargo bench -p roster-store` measured 200,000
/// items in 2.5 s at 20 rows and 2.0 s at 200 on SQLite (5.7 s and 5.2 s on PostgreSQL).
const ITEMS_PER_INSERT: usize = 200;

impl SqlStore {
    pub(super) async fn add_campaign_impl(&self, c: &ReviewCampaign) -> Result<i64> {
        let row = sqlx::query(
            "INSERT INTO review_campaigns (account, name, spec, status, created_by, created_ms, due_ms)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(&c.account)
        .bind(&c.name)
        .bind(&c.spec)
        .bind(CampaignStatus::Draft.as_str())
        .bind(&c.created_by)
        .bind(c.created_ms)
        .bind(c.due_ms)
        .fetch_one(&self.pool)
        .await
        .map_err(StoreError::query("add review campaign"))?;
        row.try_get::<i64, _>("id").map_err(StoreError::query("add review campaign"))
    }

    pub(super) async fn campaign_impl(&self, id: i64) -> Result<Option<ReviewCampaign>> {
        let row = sqlx::query(sql!("SELECT {CAMPAIGN_COLUMNS} FROM review_campaigns WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(StoreError::query("read review campaign"))?;
        row.as_ref().map(campaign_row).transpose()
    }

    pub(super) async fn campaigns_impl(&self, account: &str) -> Result<Vec<ReviewCampaign>> {
        let rows = sqlx::query(sql!("SELECT {CAMPAIGN_COLUMNS} FROM review_campaigns WHERE account = $1 ORDER BY id"))
            .bind(account)
            .fetch_all(&self.pool)
            .await
            .map_err(StoreError::query("list review campaigns"))?;
        rows.iter().map(campaign_row).collect()
    }

    pub(super) async fn launch_campaign_impl(
        &self,
        id: i64,
        sync_id: i64,
        snapshot_ms: i64,
        launched_ms: i64,
        items: &[ReviewItem],
    ) -> Result<bool> {
        let mut tx = self.pool.begin().await.map_err(StoreError::query("begin"))?;
        let moved = sqlx::query(
            "UPDATE review_campaigns SET status = $1, sync_id = $2, snapshot_ms = $3, launched_ms = $4
             WHERE id = $5 AND status = $6",
        )
        .bind(CampaignStatus::Launched.as_str())
        .bind(sync_id)
        .bind(snapshot_ms)
        .bind(launched_ms)
        .bind(id)
        .bind(CampaignStatus::Draft.as_str())
        .execute(&mut *tx)
        .await
        .map_err(StoreError::query("launch review campaign"))?;
        if moved.rows_affected() != 1 {
            return Ok(false);
        }
        // Many rows per statement: a campaign over a large account freezes a million items.
        for chunk in items.chunks(ITEMS_PER_INSERT) {
            let sql = super::writes::multi_insert(
                self.postgres,
                "review_items",
                &[
                    "campaign_id",
                    "seq",
                    "user_id",
                    "user_email",
                    "user_name",
                    "user_status",
                    "user_role",
                    "user_last_activity_ms",
                    "user_custom_role",
                    "entitlement",
                    "resource_name",
                    "source",
                    "resource_kind",
                    "left_team",
                    "sod_rules",
                    "reviewer",
                    "original_reviewer",
                    "self_review",
                ],
                chunk.len(),
                "",
            );
            let mut q = sqlx::query(sql!("{sql}"));
            for it in chunk {
                q = q
                    .bind(id)
                    .bind(it.seq)
                    .bind(it.user_id.clone())
                    .bind(it.user_email.clone())
                    .bind(it.user_name.clone())
                    .bind(it.user_status.clone())
                    .bind(it.user_role.clone())
                    .bind(it.user_last_activity_ms)
                    .bind(it.user_custom_role.clone())
                    .bind(it.entitlement.clone())
                    .bind(it.resource_name.clone())
                    .bind(it.source.clone())
                    .bind(it.resource_kind.clone())
                    .bind(it.left_team.clone())
                    .bind(it.sod_rules.clone())
                    .bind(it.reviewer.clone())
                    .bind(it.original_reviewer.clone())
                    .bind(i64::from(it.self_review));
            }
            q.execute(&mut *tx).await.map_err(StoreError::query("freeze review items"))?;
        }
        tx.commit().await.map_err(StoreError::query("commit launch"))?;
        Ok(true)
    }

    pub(super) async fn review_items_impl(&self, campaign_id: i64, reviewer: Option<&str>) -> Result<Vec<ReviewItem>> {
        let rows = sqlx::query(sql!(
            "SELECT {ITEM_COLUMNS} FROM review_items WHERE campaign_id = $1 AND ($2 IS NULL OR reviewer = $3) ORDER BY seq"
        ))
        .bind(campaign_id)
        .bind(reviewer)
        .bind(reviewer)
        .fetch_all(&self.pool)
        .await
        .map_err(StoreError::query("list review items"))?;
        rows.iter().map(item_row).collect()
    }

    pub(super) async fn review_items_page_impl(
        &self,
        campaign_id: i64,
        reviewer: Option<&str>,
        undecided_only: bool,
        from: ItemsFrom,
        limit: i64,
        advised: Option<Advised>,
    ) -> Result<Vec<ReviewItem>> {
        // Filters written out (not `$2 IS NULL OR ...`), so one reviewer's page is a range of
        // the (campaign, reviewer, seq) index instead of a scan of the whole campaign; a seek
        // (`After`, `Before`) starts inside that range.
        let who = if reviewer.is_some() { "AND reviewer = $4" } else { "" };
        let open = if undecided_only { "AND decision IS NULL" } else { "" };
        // The seek's placeholder follows the reviewer's, whether or not that one is there, and
        // the advice's follows both.
        let mut next = if reviewer.is_some() { 5 } else { 4 };
        let (seek, order, skip) = match from {
            ItemsFrom::Offset(o) => (String::new(), "ASC", o),
            ItemsFrom::After(_) => (format!("AND seq > ${next}"), "ASC", 0),
            ItemsFrom::AfterSkipping(_, n) => (format!("AND seq > ${next}"), "ASC", n),
            ItemsFrom::Before(_) => (format!("AND seq < ${next}"), "DESC", 0),
        };
        if !matches!(from, ItemsFrom::Offset(_)) {
            next += 1;
        }
        let (advice, advice_binds) = advised.map_or((String::new(), vec![]), |a| advised_sql(next, a));
        let q = sqlx::query(sql!(
            "SELECT {ITEM_COLUMNS} FROM review_items WHERE campaign_id = $1 {who} {open} {seek} {advice}
             ORDER BY seq {order} LIMIT $2 OFFSET $3"
        ))
        .bind(campaign_id)
        .bind(limit)
        .bind(skip);
        let q = match reviewer {
            Some(r) => q.bind(r),
            None => q,
        };
        let q = match from {
            ItemsFrom::After(seq) | ItemsFrom::AfterSkipping(seq, _) | ItemsFrom::Before(seq) => q.bind(seq),
            ItemsFrom::Offset(_) => q,
        };
        let q = advice_binds.into_iter().fold(q, |q, v| q.bind(v));
        let rows = q.fetch_all(self.pages()).await.map_err(StoreError::query("page review items"))?;
        let mut items = rows.iter().map(item_row).collect::<Result<Vec<_>>>()?;
        if matches!(from, ItemsFrom::Before(_)) {
            items.reverse();
        }
        Ok(items)
    }

    pub(super) async fn review_item_anchors_impl(
        &self,
        campaign_id: i64,
        reviewer: Option<&str>,
        stride: i64,
    ) -> Result<Vec<i64>> {
        // One pass over the reviewer's range of the (campaign, reviewer, seq) index (the
        // filter written out, as for pages).
        let who = if reviewer.is_some() { "AND reviewer = $3" } else { "" };
        let q = sqlx::query(sql!(
            "SELECT seq FROM (SELECT seq, ROW_NUMBER() OVER (ORDER BY seq) AS n
                              FROM review_items WHERE campaign_id = $1 {who}) numbered
             WHERE n % $2 = 0 ORDER BY n"
        ))
        .bind(campaign_id)
        .bind(stride.max(1));
        let q = match reviewer {
            Some(r) => q.bind(r),
            None => q,
        };
        let rows = q.fetch_all(self.pages()).await.map_err(StoreError::query("find review item seek points"))?;
        rows.iter().map(|r| r.try_get::<i64, _>(0).map_err(StoreError::query("read review item seek points"))).collect()
    }

    pub(super) async fn review_items_advised_count_impl(
        &self,
        campaign_id: i64,
        reviewer: &str,
        rule: Advised,
        undecided_only: bool,
    ) -> Result<i64> {
        let open = if undecided_only { "AND decision IS NULL" } else { "" };
        let (advice, binds) = advised_sql(3, rule);
        let q = sqlx::query_scalar(sql!(
            "SELECT COUNT(*) FROM review_items WHERE campaign_id = $1 AND reviewer = $2 {open} {advice}"
        ))
        .bind(campaign_id)
        .bind(reviewer);
        binds
            .into_iter()
            .fold(q, |q, v| q.bind(v))
            .fetch_one(&self.pool)
            .await
            .map_err(StoreError::query("count advised review items"))
    }

    pub(super) async fn review_tally_impl(&self, campaign_id: i64, reviewer: Option<&str>) -> Result<Vec<ReviewTally>> {
        // Read from `review_counts`, which triggers keep beside the items (a handful of rows
        // per reviewer, however many items); '' there stands for "none".
        let only = if reviewer.is_some() { "AND reviewer = $2" } else { "" };
        let q = sqlx::query(sql!(
            "SELECT reviewer, NULLIF(decision, '') AS decision, NULLIF(remediation_status, '') AS remediation_status,
                    reassigned, self_review, n
             FROM review_counts WHERE campaign_id = $1 {only} AND n <> 0
             ORDER BY reviewer, decision, remediation_status, reassigned, self_review"
        ))
        .bind(campaign_id);
        let q = match reviewer {
            Some(r) => q.bind(r),
            None => q,
        };
        let rows = q.fetch_all(&self.pool).await.map_err(StoreError::query("count review items"))?;
        let q = StoreError::query("read review counts");
        rows.iter()
            .map(|r| {
                Ok(ReviewTally {
                    reviewer: r.try_get("reviewer").map_err(&q)?,
                    decision: decision(r)?,
                    remediation_status: remediation(r)?,
                    reassigned: r.try_get::<i64, _>("reassigned").map_err(&q)? != 0,
                    self_review: r.try_get::<i64, _>("self_review").map_err(&q)? != 0,
                    items: r.try_get("n").map_err(&q)?,
                })
            })
            .collect()
    }

    pub(super) async fn review_item_impl(&self, id: i64) -> Result<Option<ReviewItem>> {
        let row = sqlx::query(sql!("SELECT {ITEM_COLUMNS} FROM review_items WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(StoreError::query("read review item"))?;
        row.as_ref().map(item_row).transpose()
    }

    pub(super) async fn decide_item_impl(&self, id: i64, d: &ItemDecision) -> Result<bool> {
        let done = decide_query(id, d).execute(&self.pool).await.map_err(StoreError::query("decide review item"))?;
        Ok(done.rows_affected() == 1)
    }

    pub(super) async fn decide_items_impl(
        &self,
        account: &str,
        decisions: &[(i64, ItemDecision)],
        events: &[roster_core::Event],
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<bool> {
        let mut tx = self.pool.begin().await.map_err(StoreError::query("begin decisions"))?;
        for (id, d) in decisions {
            let done = decide_query(*id, d).execute(&mut *tx).await.map_err(StoreError::query("decide review item"))?;
            if done.rows_affected() != 1 {
                // Dropped uncommitted: none of the decisions is written.
                return Ok(false);
            }
        }
        super::writes::insert_events(&mut tx, account, None, events, now).await?;
        tx.commit().await.map_err(StoreError::query("commit decisions"))?;
        Ok(true)
    }

    pub(super) async fn sign_off_impl(&self, campaign_id: i64, reviewer: &str, at_ms: i64) -> Result<bool> {
        let done = sqlx::query(
            "INSERT INTO review_signoffs (campaign_id, reviewer, signed_ms) VALUES ($1, $2, $3)
             ON CONFLICT (campaign_id, reviewer) DO NOTHING",
        )
        .bind(campaign_id)
        .bind(reviewer)
        .bind(at_ms)
        .execute(&self.pool)
        .await
        .map_err(StoreError::query("sign off review"))?;
        Ok(done.rows_affected() == 1)
    }

    pub(super) async fn signoffs_impl(&self, campaign_id: i64) -> Result<Vec<(String, i64)>> {
        let rows = sqlx::query(
            "SELECT reviewer, signed_ms FROM review_signoffs WHERE campaign_id = $1 ORDER BY signed_ms, reviewer",
        )
        .bind(campaign_id)
        .fetch_all(&self.pool)
        .await
        .map_err(StoreError::query("list sign-offs"))?;
        let q = StoreError::query("read sign-off");
        rows.iter().map(|r| Ok((r.try_get("reviewer").map_err(&q)?, r.try_get("signed_ms").map_err(&q)?))).collect()
    }

    pub(super) async fn transition_campaign_impl(
        &self,
        id: i64,
        from: CampaignStatus,
        to: CampaignStatus,
        at_ms: i64,
        plan_id: Option<&str>,
    ) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE review_campaigns SET status = $1, plan_id = COALESCE($2, plan_id),
                closed_ms = CASE WHEN $3 = 1 THEN $4 ELSE closed_ms END
             WHERE id = $5 AND status = $6",
        )
        .bind(to.as_str())
        .bind(plan_id)
        .bind(i64::from(to == CampaignStatus::Closed))
        .bind(at_ms)
        .bind(id)
        .bind(from.as_str())
        .execute(&self.pool)
        .await
        .map_err(StoreError::query("update review campaign"))?;
        Ok(done.rows_affected() == 1)
    }

    pub(super) async fn set_remediation_impl(&self, item_id: i64, r: &Remediation) -> Result<()> {
        sqlx::query(
            "UPDATE review_items SET remediation_action = $1, remediation_status = $2, remediation_note = $3, applied_ms = $4
             WHERE id = $5",
        )
        .bind(&r.action)
        .bind(r.status.as_str())
        .bind(r.note.clone())
        .bind(r.applied_ms)
        .bind(item_id)
        .execute(&self.pool)
        .await
        .map_err(StoreError::query("record remediation"))?;
        Ok(())
    }

    pub(super) async fn set_verification_impl(
        &self,
        item_id: i64,
        status: RemediationStatus,
        absent_ms: Option<i64>,
    ) -> Result<()> {
        sqlx::query("UPDATE review_items SET remediation_status = $1, verified_absent_ms = $2 WHERE id = $3")
            .bind(status.as_str())
            .bind(absent_ms)
            .bind(item_id)
            .execute(&self.pool)
            .await
            .map_err(StoreError::query("record remediation check"))?;
        Ok(())
    }

    pub(super) async fn unverified_remediations_impl(&self, account: &str) -> Result<Vec<ReviewItem>> {
        let cols = ITEM_COLUMNS.replace("\n    ", " ");
        let cols: Vec<String> = cols.split(", ").map(|c| format!("i.{}", c.trim())).collect();
        let rows = sqlx::query(sql!(
            "SELECT {} FROM review_items i JOIN review_campaigns c ON c.id = i.campaign_id
             WHERE c.account = $1 AND i.remediation_status IN ($2, $3, $4) AND i.verified_absent_ms IS NULL
             ORDER BY i.id",
            cols.join(", ")
        ))
        .bind(account)
        .bind(RemediationStatus::Applied.as_str())
        .bind(RemediationStatus::Failed.as_str())
        .bind(RemediationStatus::Manual.as_str())
        .fetch_all(&self.pool)
        .await
        .map_err(StoreError::query("list remediations to verify"))?;
        rows.iter().map(item_row).collect()
    }
}

#[async_trait::async_trait]
impl crate::ReviewStore for SqlStore {
    async fn add_campaign(&self, c: &ReviewCampaign) -> Result<i64> {
        self.add_campaign_impl(c).await
    }

    async fn campaign(&self, id: i64) -> Result<Option<ReviewCampaign>> {
        self.campaign_impl(id).await
    }

    async fn campaigns(&self, account: &str) -> Result<Vec<ReviewCampaign>> {
        self.campaigns_impl(account).await
    }

    async fn launch_campaign(
        &self,
        id: i64,
        sync_id: i64,
        snapshot_ms: i64,
        launched_ms: i64,
        items: &[ReviewItem],
    ) -> Result<bool> {
        self.launch_campaign_impl(id, sync_id, snapshot_ms, launched_ms, items).await
    }

    async fn review_items(&self, campaign_id: i64, reviewer: Option<&str>) -> Result<Vec<ReviewItem>> {
        self.review_items_impl(campaign_id, reviewer).await
    }

    async fn review_items_page(
        &self,
        campaign_id: i64,
        reviewer: Option<&str>,
        undecided_only: bool,
        from: ItemsFrom,
        limit: i64,
    ) -> Result<Vec<ReviewItem>> {
        self.review_items_page_impl(campaign_id, reviewer, undecided_only, from, limit, None).await
    }

    async fn review_item_anchors(&self, campaign_id: i64, reviewer: Option<&str>, stride: i64) -> Result<Vec<i64>> {
        self.review_item_anchors_impl(campaign_id, reviewer, stride).await
    }

    async fn review_items_advised(
        &self,
        campaign_id: i64,
        reviewer: &str,
        rule: Advised,
        undecided_only: bool,
        from: ItemsFrom,
        limit: i64,
    ) -> Result<Vec<ReviewItem>> {
        self.review_items_page_impl(campaign_id, Some(reviewer), undecided_only, from, limit, Some(rule)).await
    }

    async fn review_items_advised_count(
        &self,
        campaign_id: i64,
        reviewer: &str,
        rule: Advised,
        undecided_only: bool,
    ) -> Result<i64> {
        self.review_items_advised_count_impl(campaign_id, reviewer, rule, undecided_only).await
    }

    async fn review_undecided_on(
        &self,
        campaign_id: i64,
        reviewer: &str,
        resource: &str,
        limit: i64,
    ) -> Result<Vec<i64>> {
        // The reviewer's range of the (campaign, reviewer, seq) index, its entitlements of the
        // resource: `board:7:` and what follows (not `board:70:`).
        sqlx::query_scalar(sql!(
            "SELECT id FROM review_items WHERE campaign_id = $1 AND reviewer = $2 AND decision IS NULL
               AND substr(entitlement, 1, length($3)) = $3 ORDER BY seq LIMIT $4"
        ))
        .bind(campaign_id)
        .bind(reviewer)
        .bind(format!("{resource}:"))
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .map_err(StoreError::query("undecided review items of a resource"))
    }

    async fn review_tally(&self, campaign_id: i64, reviewer: Option<&str>) -> Result<Vec<ReviewTally>> {
        self.review_tally_impl(campaign_id, reviewer).await
    }

    async fn review_item(&self, id: i64) -> Result<Option<ReviewItem>> {
        self.review_item_impl(id).await
    }

    async fn decide_item(&self, id: i64, d: &ItemDecision) -> Result<bool> {
        self.decide_item_impl(id, d).await
    }

    async fn decide_items(
        &self,
        account: &str,
        decisions: &[(i64, ItemDecision)],
        events: &[roster_core::Event],
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<bool> {
        self.decide_items_impl(account, decisions, events, now).await
    }

    async fn sign_off(&self, campaign_id: i64, reviewer: &str, at_ms: i64) -> Result<bool> {
        self.sign_off_impl(campaign_id, reviewer, at_ms).await
    }

    async fn signoffs(&self, campaign_id: i64) -> Result<Vec<(String, i64)>> {
        self.signoffs_impl(campaign_id).await
    }

    async fn transition_campaign(
        &self,
        id: i64,
        from: roster_core::review::CampaignStatus,
        to: roster_core::review::CampaignStatus,
        at_ms: i64,
        plan_id: Option<&str>,
    ) -> Result<bool> {
        self.transition_campaign_impl(id, from, to, at_ms, plan_id).await
    }

    async fn set_remediation(&self, item_id: i64, r: &Remediation) -> Result<()> {
        self.set_remediation_impl(item_id, r).await
    }

    async fn set_verification(
        &self,
        item_id: i64,
        status: roster_core::review::RemediationStatus,
        absent_ms: Option<i64>,
    ) -> Result<()> {
        self.set_verification_impl(item_id, status, absent_ms).await
    }

    async fn unverified_remediations(&self, account: &str) -> Result<Vec<ReviewItem>> {
        self.unverified_remediations_impl(account).await
    }
}

/// One item's conditional decision: it still has the deciding reviewer, its campaign is
/// launched and that reviewer has not signed off.
fn decide_query(id: i64, d: &ItemDecision) -> sqlx::query::Query<'static, sqlx::Any, sqlx::any::AnyArguments> {
    sqlx::query(
        "UPDATE review_items SET decision = $1, decided_by = $2, decided_ms = $3, justification = $4,
            reviewer = COALESCE($5, reviewer)
         WHERE id = $6 AND reviewer = $7
           AND EXISTS (SELECT 1 FROM review_campaigns c WHERE c.id = review_items.campaign_id AND c.status = $8)
           AND NOT EXISTS (SELECT 1 FROM review_signoffs s
                           WHERE s.campaign_id = review_items.campaign_id AND s.reviewer = review_items.reviewer)",
    )
    .bind(d.decision.map(Decision::as_str))
    .bind(d.reassign_to.is_none().then(|| d.by.clone()))
    .bind(d.reassign_to.is_none().then_some(d.at_ms))
    .bind(d.justification.clone())
    .bind(d.reassign_to.clone())
    .bind(id)
    .bind(d.reviewer.clone())
    .bind(CampaignStatus::Launched.as_str())
}

/// The SQL of [`Advised`] from placeholder `$n` on, and the values to bind there: the engine's
/// rules (`roster_engine::review::recommend`, first match wins) on the columns the item froze
/// at launch.
fn advised_sql(n: usize, rule: Advised) -> (String, Vec<i64>) {
    use crate::types::Signal;
    let (idle, recent) = (format!("${n}"), format!("${}", n + 1));
    let gone = "user_status IN ('deactivated', 'pending')";
    let idle_now = format!("(user_last_activity_ms IS NULL OR user_last_activity_ms <= {idle})");
    let sod = "sod_rules IS NOT NULL";
    let left = "left_team IS NOT NULL";
    // A kind unknown (items frozen before kinds were) counts as private, as it did then.
    let guest = "(user_role = 'guest' AND entitlement LIKE 'board:%' AND entitlement NOT LIKE '%:owner' \
                 AND (resource_kind IS NULL OR resource_kind <> 'public'))";
    // Past the revoke rules: present, seen since the idle time, no conflict, nothing left behind.
    let active = format!("user_status NOT IN ('deactivated', 'pending') AND NOT {idle_now}");
    let clear = format!("{active} AND NOT {sod} AND NOT {left} AND NOT {guest}");
    let owner_recent = format!("(entitlement LIKE '%:owner' AND user_last_activity_ms > {recent})");
    let one = vec![rule.idle_before_ms];
    let two = vec![rule.idle_before_ms, rule.recent_after_ms];
    let (sql, binds) = match rule.signal {
        Signal::Revoke => (format!("{gone} OR {idle_now} OR {sod} OR {left} OR {guest}"), one),
        Signal::Deactivated => ("user_status = 'deactivated'".to_string(), vec![]),
        Signal::NeverJoined => ("user_status = 'pending'".to_string(), vec![]),
        Signal::Idle => (format!("user_status NOT IN ('deactivated', 'pending') AND {idle_now}"), one),
        Signal::SodConflict => (format!("{active} AND {sod}"), one),
        Signal::LeftTeam => (format!("{active} AND NOT {sod} AND {left}"), one),
        Signal::GuestOnBoard => (format!("{active} AND NOT {sod} AND NOT {left} AND {guest}"), one),
        Signal::OwnerActive => (format!("{clear} AND {owner_recent}"), two),
        Signal::Judgement => (format!("{clear} AND NOT {owner_recent}"), two),
    };
    (format!("AND ({sql})"), binds)
}
