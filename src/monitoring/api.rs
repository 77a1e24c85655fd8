//! The monitoring routes: the figures of a view as JSON, CSV and SVG charts, for the referenti
//! and the administrators, each in their scope; and the public open-data figures.

use axum::Json;
use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse as _, Response};
use serde::Deserialize;

use super::chart::{self, Point};
use super::facts;
use super::period::Period;
use super::scope::Scope;
use super::summary::{Figures, GroupBy, Inputs, Summary, summarize};
use crate::api::{ApiCode, AppError, QueryParams};
use crate::booking::rome;
use crate::identity::Principal;
use crate::store::Store;

/// The query of a view.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ViewQuery {
    from: Option<String>,
    to: Option<String>,
    by: Option<GroupBy>,
    metric: Option<Metric>,
}

/// What a chart shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// Appointments booked.
    Booked,
    /// Meetings held.
    Held,
    /// Outcome "da richiamare".
    CallBack,
    /// The citizen did not come.
    NoShow,
    /// Cancelled.
    Cancelled,
    /// Distinct citizens served.
    Citizens,
}

impl Metric {
    fn of(self, f: &Figures) -> Option<i64> {
        match self {
            Self::Booked => f.booked,
            Self::Held => f.held,
            Self::CallBack => f.call_back,
            Self::NoShow => f.no_show,
            Self::Cancelled => f.cancelled,
            Self::Citizens => f.citizens,
        }
    }

    fn title(self) -> &'static str {
        match self {
            Self::Booked => "Appuntamenti prenotati",
            Self::Held => "Incontri svolti",
            Self::CallBack => "Da richiamare",
            Self::NoShow => "Cittadini non presentati",
            Self::Cancelled => "Appuntamenti annullati",
            Self::Citizens => "Cittadini serviti",
        }
    }
}

async fn scope_label(store: &Store, scope: &Scope) -> Result<String, AppError> {
    Ok(match scope {
        Scope::Comune(istat) => match store.db().comune(istat).await? {
            Some(c) => format!("Comune di {}", c.name),
            None => format!("Comune {istat}"),
        },
        Scope::Regions(rs) if rs.len() == 1 => format!("Regione {}", rs[0]),
        Scope::Regions(rs) => format!("Regioni {}", rs.join(", ")),
        Scope::All { aggregated: false } => "Italia".to_owned(),
        Scope::All { aggregated: true } => "Italia (dati aggregati)".to_owned(),
    })
}

/// How many views are computed at once: a view holds the period's appointments in memory
/// (a few hundred bytes each), so a burst of national five-year views waits its turn instead
/// of multiplying that.
static VIEWS_AT_ONCE: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

/// The view `who` asked for.
async fn view(store: &Store, who: &Principal, q: &ViewQuery) -> Result<Summary, AppError> {
    let scope = Scope::of(who)?;
    let period = Period::new(
        q.from.as_deref(),
        q.to.as_deref(),
        rome::local_date(store.now()),
    )?;
    // The semaphore is never closed: a failed acquire cannot happen.
    let _turn = VIEWS_AT_ONCE.acquire().await.ok();
    let months = period.months();
    let (first, last) = (&months[0], &months[months.len() - 1]);
    let db = store.db();
    let facts = facts::load(db, period.first, period.last).await?;
    let served = facts::served(db, first, last).await?;
    let ratings = facts::ratings(db, first, last).await?;
    let inputs = Inputs {
        facts: &facts,
        served: &served,
        ratings: &ratings,
        months: &months,
    };
    let label = scope_label(store, &scope).await?;
    Ok(summarize(
        &inputs,
        &scope,
        label,
        q.by.unwrap_or(GroupBy::Month),
    ))
}

/// `GET /v1/monitoring/summary`.
pub async fn summary(
    State(store): State<Store>,
    who: Principal,
    QueryParams(q): QueryParams<ViewQuery>,
) -> Result<Json<Summary>, AppError> {
    Ok(Json(view(&store, &who, &q).await?))
}

/// The CSV header row of a view.
pub const CSV_HEADER: [&str; 14] = [
    "key",
    "label",
    "booked",
    "held",
    "resolved",
    "call_back",
    "no_show",
    "cancelled",
    "open",
    "waiting_days_median",
    "duration_minutes_median",
    "citizens",
    "feedback",
    "rating_average",
];

/// A view as CSV: the header, one line per group, the total last (suppressed values empty).
pub fn to_csv(s: &Summary) -> String {
    let n = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
    let x = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
    let mut out = String::new();
    crate::api::csv::row(&mut out, &CSV_HEADER);
    for f in s.rows.iter().chain(std::iter::once(&s.total)) {
        let values = [
            f.key.clone(),
            f.label.clone(),
            n(f.booked),
            n(f.held),
            n(f.resolved),
            n(f.call_back),
            n(f.no_show),
            n(f.cancelled),
            n(f.open),
            x(f.waiting_days_median),
            x(f.duration_minutes_median),
            n(f.citizens),
            n(f.feedback),
            x(f.rating_average),
        ];
        crate::api::csv::row(&mut out, &values);
    }
    out
}

/// `GET /v1/monitoring/summary.csv`.
pub async fn summary_csv(
    State(store): State<Store>,
    who: Principal,
    QueryParams(q): QueryParams<ViewQuery>,
) -> Result<Response, AppError> {
    let s = view(&store, &who, &q).await?;
    Ok(crate::api::csv::attachment("monitoraggio.csv", to_csv(&s)))
}

/// The most groups a bar chart shows (the largest).
const MAX_BARS: usize = 20;

/// `GET /v1/monitoring/chart.svg`: `metric` (default `booked`) of the view; columns by month,
/// bars (the 20 largest) otherwise.
pub async fn chart_svg(
    State(store): State<Store>,
    who: Principal,
    QueryParams(q): QueryParams<ViewQuery>,
) -> Result<Response, AppError> {
    let s = view(&store, &who, &q).await?;
    let metric = q.metric.unwrap_or(Metric::Booked);
    let mut rows: Vec<&Figures> = s.rows.iter().collect();
    let by_month = s.by == GroupBy::Month;
    if !by_month {
        rows.sort_by_key(|f| std::cmp::Reverse(metric.of(f).unwrap_or(0)));
        rows.truncate(MAX_BARS);
    }
    let points: Vec<Point<'_>> = rows
        .iter()
        .map(|f| Point {
            label: &f.label,
            value: metric.of(f),
        })
        .collect();
    let title = format!("{} – {}", metric.title(), s.scope);
    let svg = if by_month {
        chart::columns(&title, &points)
    } else {
        chart::bars(&title, &points)
    };
    Ok((
        [
            (CONTENT_TYPE, "image/svg+xml; charset=utf-8"),
            (CACHE_CONTROL, "no-store"),
        ],
        svg,
    )
        .into_response())
}

/// The query of the open data.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpenDataQuery {
    year: Option<String>,
}

/// `GET /v1/open-data/pue.csv?year=YYYY` (public): per month and region, the comuni whose PUE
/// held at least one meeting and the meetings held; counts below 5 left empty. No personal data.
pub async fn open_data(
    State(store): State<Store>,
    QueryParams(q): QueryParams<OpenDataQuery>,
) -> Result<Response, AppError> {
    let today = rome::local_date(store.now());
    let year = match q.year.as_deref() {
        None => chrono::Datelike::year(&today).to_string(),
        Some(y) => y.to_owned(),
    };
    let bad = || AppError::bad_request(ApiCode::BadYear, "the year is YYYY, 2000-2100");
    if year.len() != 4 {
        return Err(bad());
    }
    let period = Period::new(
        Some(&format!("{year}-01")),
        Some(&format!("{year}-12")),
        today,
    )
    .map_err(|_| bad())?;
    let facts = facts::load(store.db(), period.first, period.last).await?;
    let scope = Scope::All { aggregated: true };
    // (month, region) -> (comuni with a held meeting, meetings held)
    let mut by: std::collections::BTreeMap<
        (String, String),
        (std::collections::BTreeSet<String>, i64),
    > = std::collections::BTreeMap::new();
    for f in facts
        .iter()
        .filter(|f| matches!(f.state, facts::State::Resolved | facts::State::CallBack))
    {
        let e = by
            .entry((f.month.clone(), f.place.region.clone()))
            .or_default();
        e.0.insert(f.place.comune_istat.clone());
        e.1 += f.n;
    }
    let mut out = String::new();
    crate::api::csv::row(
        &mut out,
        &["mese", "regione", "pue_attivi", "incontri_svolti"],
    );
    let shown = |n: i64| scope.shown(n).map(|n| n.to_string()).unwrap_or_default();
    for ((month, region), (comuni, held)) in &by {
        let values = [
            month.clone(),
            region.clone(),
            shown(comuni.len() as i64),
            shown(*held),
        ];
        crate::api::csv::row(&mut out, &values);
    }
    Ok(crate::api::csv::attachment("pue-open-data.csv", out))
}
