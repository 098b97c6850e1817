//! The PDF summary of a campaign for auditors: cover, scope, counts, decisions, remediation,
//! sign-offs and the evidence chain's head. Written with `pdf-writer` (typst's, small, no
//! system fonts): Helvetica is one of the PDF base fonts, so nothing is embedded.

use chrono::{DateTime, Utc};
use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str};
use roster_core::review::{CampaignSpec, Decision, RemediationStatus, ReviewerMode, Unanswered};
use roster_store::{ReviewCampaign, ReviewItem};

use super::evidence::time;
use super::Counts;

const LINES_PER_PAGE: usize = 52;
const MAX_LISTED: usize = 200;

/// Base-font text is Latin: anything else prints as `?` rather than as garbage.
fn ascii(s: &str) -> Vec<u8> {
    s.chars().map(|c| if (' '..='~').contains(&c) { c as u8 } else { b'?' }).collect()
}

struct Doc {
    lines: Vec<(f32, String)>,
}

impl Doc {
    fn title(&mut self, s: &str) {
        self.lines.push((16.0, s.to_string()));
    }
    fn head(&mut self, s: &str) {
        self.lines.push((11.0, String::new()));
        self.lines.push((13.0, s.to_string()));
    }
    fn line(&mut self, s: impl Into<String>) {
        self.lines.push((10.0, s.into()));
    }
}

#[allow(clippy::too_many_arguments)]
pub(super) fn summary(
    c: &ReviewCampaign,
    spec: &CampaignSpec,
    counts: &Counts,
    in_scope: usize,
    complete: bool,
    signoffs: &[(String, i64)],
    items: &[ReviewItem],
    chain_head: &str,
    now: DateTime<Utc>,
) -> Vec<u8> {
    let mut d = Doc { lines: Vec::new() };
    d.title("Access review evidence");
    d.line(format!("Campaign: {} (id {})", c.name, c.id));
    d.line(format!("Account: {}", c.account));
    d.line(format!("Status: {}", c.status));
    d.line(format!("Created by: {} at {}", c.created_by, time(Some(c.created_ms))));
    d.line(format!("Period: {} to {}", time(c.launched_ms), time(Some(c.due_ms))));
    d.line(format!("Closed: {}", if c.closed_ms.is_some() { time(c.closed_ms) } else { "not yet".into() }));
    d.line(format!("Snapshot: sync {} completed at {}", c.sync_id.unwrap_or_default(), time(c.snapshot_ms)));
    d.line(format!("Generated: {}", time(Some(now.timestamp_millis()))));

    d.head("Scope");
    let list = |v: Vec<String>| if v.is_empty() { "all".to_string() } else { v.join(", ") };
    d.line(format!("Resource types: {}", list(spec.scope.types.iter().map(|t| t.as_str().to_string()).collect())));
    d.line(format!("Workspace: {}", spec.scope.workspace.as_deref().unwrap_or("any")));
    d.line(format!("User roles: {}", list(spec.scope.roles.iter().map(|r| r.as_str().to_string()).collect())));
    d.line(format!("Access via team: {}", spec.scope.via_team.as_deref().unwrap_or("any")));
    let mode = match spec.reviewers.mode {
        ReviewerMode::Owners => "resource owners".to_string(),
        ReviewerMode::Named => format!("named: {}", spec.reviewers.named.join(", ")),
    };
    d.line(format!("Reviewers: {mode}; fallback {}", spec.reviewers.fallback));
    let policy = match spec.unanswered {
        Unanswered::Keep => "keep",
        Unanswered::Revoke => "revoke",
    };
    d.line(format!("Unanswered items at close: {policy}"));

    d.head("Counts");
    d.line(format!("Items in scope: {in_scope}"));
    d.line(format!("Items frozen: {}", counts.items));
    d.line(format!("Certified: {}", counts.certified));
    d.line(format!("Revoked: {}", counts.revoked));
    d.line(format!("Undecided: {}", counts.undecided));
    d.line(format!("Reassigned: {}", counts.reassigned));
    d.line(format!("Self-reviews: {}", counts.self_reviews));
    d.line(format!(
        "Complete (every item in scope decided, every reviewer signed off): {}",
        if complete { "yes" } else { "NO" }
    ));

    d.head("Decisions by reviewer");
    let mut per: std::collections::BTreeMap<&str, [usize; 3]> = std::collections::BTreeMap::new();
    for i in items {
        let slot = match i.decision {
            Some(Decision::Certify) => 0,
            Some(Decision::Revoke) => 1,
            None => 2,
        };
        per.entry(i.reviewer.as_str()).or_default()[slot] += 1;
    }
    for (r, [cert, rev, open]) in per.iter().take(MAX_LISTED) {
        d.line(format!("{r}: {cert} certified, {rev} revoked, {open} undecided"));
    }
    if per.len() > MAX_LISTED {
        d.line(format!("... and {} more reviewers (see items.csv)", per.len() - MAX_LISTED));
    }

    d.head("Remediation");
    d.line(format!("Applied: {}", counts.remediation_applied));
    d.line(format!("Failed: {}", counts.remediation_failed));
    d.line(format!("Verified absent: {}", counts.remediation_verified));
    d.line(format!("Not removed: {}", counts.remediation_not_removed));
    let open: Vec<&ReviewItem> = items
        .iter()
        .filter(|i| matches!(i.remediation_status, Some(RemediationStatus::Failed | RemediationStatus::NotRemoved)))
        .collect();
    for i in open.iter().take(MAX_LISTED) {
        d.line(format!(
            "  #{} {} {} ({}): {}",
            i.seq,
            i.user_email,
            i.entitlement,
            i.source,
            i.remediation_status.map(RemediationStatus::as_str).unwrap_or_default()
        ));
    }
    if open.len() > MAX_LISTED {
        d.line(format!("  ... and {} more (see items.csv)", open.len() - MAX_LISTED));
    }

    d.head("Sign-offs");
    if signoffs.is_empty() {
        d.line("none");
    }
    for (r, t) in signoffs {
        d.line(format!("{r} at {}", time(Some(*t))));
    }

    d.head("Integrity");
    d.line("Each row of items.csv and items.jsonl carries a SHA-256 chained to the previous row.");
    d.line(format!("Chain head: {chain_head}"));
    d.line("Check with: roster review verify <directory>");
    render(&d.lines)
}

fn render(lines: &[(f32, String)]) -> Vec<u8> {
    let pages: Vec<&[(f32, String)]> = lines.chunks(LINES_PER_PAGE).collect();
    let mut pdf = Pdf::new();
    let (catalog, tree, font) = (Ref::new(1), Ref::new(2), Ref::new(3));
    let page_ids: Vec<Ref> = (0..pages.len()).map(|i| Ref::new(4 + 2 * i as i32)).collect();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree).kids(page_ids.iter().copied()).count(pages.len() as i32);
    let f = Name(b"F1");
    for (i, chunk) in pages.iter().enumerate() {
        let content_id = Ref::new(5 + 2 * i as i32);
        let mut page = pdf.page(page_ids[i]);
        page.media_box(Rect::new(0.0, 0.0, 595.0, 842.0));
        page.parent(tree);
        page.contents(content_id);
        page.resources().fonts().pair(f, font);
        page.finish();
        let mut content = Content::new();
        let mut y = 790.0;
        for (size, text) in chunk.iter() {
            content.begin_text();
            content.set_font(f, *size);
            content.next_line(56.0, y);
            content.show(Str(&ascii(text)));
            content.end_text();
            y -= size + 4.0;
        }
        let footer = format!("page {} of {}", i + 1, pages.len());
        content.begin_text();
        content.set_font(f, 8.0);
        content.next_line(56.0, 30.0);
        content.show(Str(footer.as_bytes()));
        content.end_text();
        pdf.stream(content_id, &content.finish());
    }
    pdf.type1_font(font).base_font(Name(b"Helvetica"));
    pdf.finish()
}
