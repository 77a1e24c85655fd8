//! The figures of a monitoring view: the facts of the period inside the scope, grouped by
//! month, comune, province, region, Sede/Polo or service. Pure: the facts come in, the
//! figures go out (small counts suppressed in aggregated scopes).

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::facts::{Fact, Place, Rated, Served, State};
use super::scope::Scope;

/// How the figures are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename = "MonitoringGroupBy")]
pub enum GroupBy {
    /// Calendar month of the appointment (every month of the period, zeros included).
    Month,
    /// Comune.
    Comune,
    /// Province.
    Province,
    /// Region.
    Region,
    /// Sede or Polo nazionale.
    Sede,
    /// Service asked for.
    Service,
}

/// The figures of one group (or of the whole period). A count is `null` where it is
/// suppressed (1 to 4 in an aggregated view), and so are the medians and the rating of a group
/// with fewer than 5 of what they are computed from.
#[derive(Debug, Clone, Default, PartialEq, Serialize, TS)]
#[ts(rename = "MonitoringFigures")]
pub struct Figures {
    /// The group's key (month 'YYYY-MM', ISTAT code, province, region, Sede id, service code).
    pub key: String,
    /// Its name.
    pub label: String,
    /// Appointments booked (including those later cancelled).
    pub booked: Option<i64>,
    /// Meetings held (solved or to be called back).
    pub held: Option<i64>,
    /// Outcome "risolta".
    pub resolved: Option<i64>,
    /// Outcome "da richiamare".
    pub call_back: Option<i64>,
    /// Outcome "non presentato".
    pub no_show: Option<i64>,
    /// Cancelled.
    pub cancelled: Option<i64>,
    /// Booked, not (yet) held or closed.
    pub open: Option<i64>,
    /// Median whole days from booking to the appointment (booked, not cancelled).
    pub waiting_days_median: Option<f64>,
    /// Median duration of the held meetings, minutes.
    pub duration_minutes_median: Option<f64>,
    /// Distinct citizens served (distinct within each calendar year, summed over the years).
    pub citizens: Option<i64>,
    /// Feedback given by citizens.
    pub feedback: Option<i64>,
    /// Their average rating, 1 (molto male) to 5 (molto bene).
    pub rating_average: Option<f64>,
}

/// A monitoring view.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(rename = "MonitoringSummary")]
pub struct Summary {
    /// What the view covers, in Italian (e.g. "Comune di Villanova Monteleone").
    pub scope: String,
    /// First month, 'YYYY-MM'.
    pub from: String,
    /// Last month, 'YYYY-MM'.
    pub to: String,
    /// The grouping.
    pub by: GroupBy,
    /// Counts below this are suppressed (`null`); absent when nothing is suppressed.
    pub suppressed_below: Option<i64>,
    /// One entry per group: months in order, the others by appointments booked.
    pub rows: Vec<Figures>,
    /// The whole period.
    pub total: Figures,
}

#[derive(Default)]
struct Acc {
    label: String,
    states: BTreeMap<&'static str, i64>,
    waiting: Vec<(i64, i64)>,
    duration: Vec<(i64, i64)>,
    citizens: HashSet<(String, String)>,
    ratings: (i64, i64),
}

impl Acc {
    fn add(&mut self, f: &Fact) {
        *self.states.entry(f.state.code()).or_default() += f.n;
        if f.state != State::Cancelled {
            self.waiting.push((f.waiting_days, f.n));
        }
        if let Some(d) = f.duration_minutes {
            self.duration.push((d, f.n));
        }
    }

    fn count(&self, s: State) -> i64 {
        self.states.get(s.code()).copied().unwrap_or(0)
    }

    fn figures(mut self, key: String, scope: &Scope) -> Figures {
        let show = |n: i64| scope.shown(n);
        let (resolved, call_back) = (self.count(State::Resolved), self.count(State::CallBack));
        let booked: i64 = self.states.values().sum();
        let enough = |n: i64| !scope.aggregated() || n >= super::scope::SMALL_COUNT;
        let waiting_n: i64 = self.waiting.iter().map(|w| w.1).sum();
        let duration_n: i64 = self.duration.iter().map(|w| w.1).sum();
        let (sum, n) = self.ratings;
        Figures {
            key,
            label: std::mem::take(&mut self.label),
            booked: show(booked),
            held: show(resolved + call_back),
            resolved: show(resolved),
            call_back: show(call_back),
            no_show: show(self.count(State::NoShow)),
            cancelled: show(self.count(State::Cancelled)),
            open: show(self.count(State::Open)),
            waiting_days_median: median(&mut self.waiting).filter(|_| enough(waiting_n)),
            duration_minutes_median: median(&mut self.duration).filter(|_| enough(duration_n)),
            citizens: show(self.citizens.len() as i64),
            feedback: show(n),
            rating_average: (n > 0 && enough(n))
                .then(|| (sum as f64 / n as f64 * 10.0).round() / 10.0),
        }
    }
}

/// The weighted median of (value, weight) pairs.
fn median(values: &mut [(i64, i64)]) -> Option<f64> {
    let total: i64 = values.iter().map(|v| v.1).sum();
    if total == 0 {
        return None;
    }
    values.sort_unstable();
    let at = |k: i64| {
        let mut seen = 0;
        for &(v, w) in values.iter() {
            seen += w;
            if seen > k {
                return v as f64;
            }
        }
        0.0
    };
    Some(if total % 2 == 1 {
        at(total / 2)
    } else {
        (at(total / 2 - 1) + at(total / 2)) / 2.0
    })
}

/// "dic 2025" for '2025-12' (the chart's axis, the CSV's label).
pub fn month_label(month: &str) -> String {
    const SHORT: [&str; 12] = [
        "gen", "feb", "mar", "apr", "mag", "giu", "lug", "ago", "set", "ott", "nov", "dic",
    ];
    let name = month
        .get(5..7)
        .and_then(|m| m.parse::<usize>().ok())
        .and_then(|m| SHORT.get(m.wrapping_sub(1)));
    match (name, month.get(..4)) {
        (Some(n), Some(y)) => format!("{n} {y}"),
        _ => month.to_owned(),
    }
}

fn group_of(
    by: GroupBy,
    month: &str,
    place: &Place,
    service: Option<(&str, &str)>,
) -> Option<(String, String)> {
    Some(match by {
        GroupBy::Month => (month.to_owned(), month_label(month)),
        GroupBy::Comune => (place.comune_istat.clone(), place.comune_name.clone()),
        GroupBy::Province => (place.province.clone(), place.province.clone()),
        GroupBy::Region => (place.region.clone(), place.region.clone()),
        GroupBy::Sede => (place.sede_id.clone(), place.sede_name.clone()),
        GroupBy::Service => {
            let (code, name) = service?;
            (code.to_owned(), name.to_owned())
        }
    })
}

/// What goes into a view.
#[derive(Debug)]
pub struct Inputs<'a> {
    /// The appointments.
    pub facts: &'a [Fact],
    /// The served citizens.
    pub served: &'a [Served],
    /// The ratings.
    pub ratings: &'a [Rated],
    /// The months of the period, in order.
    pub months: &'a [String],
}

/// The view of `inputs` in `scope`, grouped `by`.
pub fn summarize(inputs: &Inputs<'_>, scope: &Scope, scope_label: String, by: GroupBy) -> Summary {
    let mut groups: BTreeMap<String, Acc> = BTreeMap::new();
    if by == GroupBy::Month {
        for m in inputs.months {
            groups.entry(m.clone()).or_default().label = month_label(m);
        }
    }
    let mut total = Acc {
        label: "Totale".to_owned(),
        ..Acc::default()
    };
    let inside = |p: &Place| scope.covers(&p.comune_istat, &p.region);
    for f in inputs.facts.iter().filter(|f| inside(&f.place)) {
        total.add(f);
        let service = Some((f.service_code.as_str(), f.service_name.as_str()));
        if let Some((key, label)) = group_of(by, &f.month, &f.place, service) {
            let acc = groups.entry(key).or_default();
            acc.label = label;
            acc.add(f);
        }
    }
    for s in inputs.served.iter().filter(|s| inside(&s.place)) {
        let who = (s.year.clone(), s.citizen_key.clone());
        total.citizens.insert(who.clone());
        let service = Some((s.service_code.as_str(), ""));
        if let Some((key, _)) = group_of(by, &s.month, &s.place, service) {
            groups.entry(key).or_default().citizens.insert(who);
        }
    }
    for r in inputs.ratings.iter().filter(|r| inside(&r.place)) {
        total.ratings.0 += r.rating * r.n;
        total.ratings.1 += r.n;
        // Feedback is not linked to a service: none by service.
        if let Some((key, _)) = group_of(by, &r.month, &r.place, None) {
            let acc = groups.entry(key).or_default();
            acc.ratings.0 += r.rating * r.n;
            acc.ratings.1 += r.n;
        }
    }
    let mut rows: Vec<Figures> = groups
        .into_iter()
        .map(|(key, acc)| {
            let label = if acc.label.is_empty() {
                key.clone()
            } else {
                acc.label.clone()
            };
            let mut f = acc.figures(key, scope);
            f.label = label;
            f
        })
        .collect();
    if by != GroupBy::Month {
        rows.sort_by(|a, b| {
            b.booked
                .unwrap_or(0)
                .cmp(&a.booked.unwrap_or(0))
                .then(a.label.cmp(&b.label))
        });
    }
    Summary {
        scope: scope_label,
        from: inputs.months.first().cloned().unwrap_or_default(),
        to: inputs.months.last().cloned().unwrap_or_default(),
        by,
        suppressed_below: scope.aggregated().then_some(super::scope::SMALL_COUNT),
        rows,
        total: total.figures("totale".to_owned(), scope),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place(istat: &str, region: &str) -> Place {
        Place {
            comune_istat: istat.into(),
            comune_name: format!("Comune {istat}"),
            province: "SS".into(),
            region: region.into(),
            sede_id: "sede-sassari".into(),
            sede_name: "Sede di Sassari".into(),
        }
    }

    fn fact(month: &str, istat: &str, state: State, waiting: i64, n: i64) -> Fact {
        Fact {
            month: month.into(),
            place: place(istat, "Sardegna"),
            service_code: "naspi".into(),
            service_name: "NASpI".into(),
            state,
            waiting_days: waiting,
            duration_minutes: matches!(state, State::Resolved | State::CallBack).then_some(20),
            n,
        }
    }

    #[test]
    fn month_labels() {
        assert_eq!(month_label("2025-12"), "dic 2025");
        assert_eq!(month_label("2026-01"), "gen 2026");
        assert_eq!(month_label("2026-13"), "2026-13");
        assert_eq!(month_label("x"), "x");
    }

    #[test]
    fn weighted_median() {
        assert_eq!(median(&mut []), None);
        assert_eq!(median(&mut [(3, 1)]), Some(3.0));
        assert_eq!(median(&mut [(1, 1), (5, 1)]), Some(3.0));
        assert_eq!(median(&mut [(9, 1), (1, 3)]), Some(1.0));
    }

    #[test]
    fn counts_by_month_with_zeros_and_scope() {
        let facts = [
            fact("2026-11", "090078", State::Resolved, 2, 1),
            fact("2026-11", "090078", State::CallBack, 4, 1),
            fact("2026-11", "090078", State::Cancelled, 9, 1),
            fact("2026-11", "090003", State::NoShow, 1, 1),
            fact("2027-01", "090078", State::Open, 6, 3),
        ];
        let months = [
            "2026-11".to_owned(),
            "2026-12".to_owned(),
            "2027-01".to_owned(),
        ];
        let inputs = Inputs {
            facts: &facts,
            served: &[],
            ratings: &[],
            months: &months,
        };
        let scope = Scope::Comune("090078".into());
        let s = summarize(&inputs, &scope, "x".into(), GroupBy::Month);
        assert_eq!(s.rows.len(), 3);
        assert_eq!(s.rows[0].booked, Some(3));
        assert_eq!(s.rows[0].held, Some(2));
        assert_eq!(s.rows[1].booked, Some(0));
        assert_eq!(s.rows[2].open, Some(3));
        assert_eq!(s.total.booked, Some(6));
        assert_eq!(s.total.no_show, Some(0), "the other comune is outside");
        // Waiting days of the non-cancelled: 2, 4, 6, 6, 6 -> 6.
        assert_eq!(s.total.waiting_days_median, Some(6.0));
        assert_eq!(s.total.duration_minutes_median, Some(20.0));
        assert_eq!(s.suppressed_below, None);
    }

    #[test]
    fn aggregated_views_suppress_small_counts() {
        let facts = [
            fact("2026-11", "090078", State::Resolved, 2, 7),
            fact("2026-11", "090003", State::Resolved, 2, 2),
        ];
        let months = ["2026-11".to_owned()];
        let inputs = Inputs {
            facts: &facts,
            served: &[],
            ratings: &[],
            months: &months,
        };
        let s = summarize(
            &inputs,
            &Scope::All { aggregated: true },
            "Italia".into(),
            GroupBy::Comune,
        );
        assert_eq!(s.suppressed_below, Some(5));
        assert_eq!(s.rows[0].booked, Some(7));
        assert_eq!(s.rows[1].booked, None, "2 is suppressed");
        assert_eq!(s.rows[1].duration_minutes_median, None);
        assert_eq!(s.total.booked, Some(9));
    }
}
