//! App-wide state: language, route, pool status, the current run and the last report.
//! One `Action` enum and a `Reducible`, shared through a context (yew's todomvc pattern).

use std::rc::Rc;

use yew::prelude::*;

use crate::engine::control::RunError;
use crate::engine::i18n::Lang;
use crate::engine::report::Report;
use crate::engine::route::Route;
use crate::web::pool::PoolSnapshot;

#[derive(Clone, Debug, PartialEq)]
pub struct AppState {
    pub lang: Lang,
    pub route: Route,
    pub pool: PoolSnapshot,
    /// (lab, demo) of the run in flight.
    pub running: Option<(String, String)>,
    pub last: Option<Rc<Report>>,
    /// The last scenario an embedding page set, numbered so the same text twice still applies.
    pub incoming: Option<(u32, String)>,
    /// Runs finished since the page loaded (lets tests and screen readers tell results apart).
    pub finished: u32,
    pub error: Option<RunError>,
}

pub enum Action {
    SetLang(Lang),
    Route(Route),
    Pool(PoolSnapshot),
    Started(String, String),
    Finished(Rc<Report>),
    Failed(RunError),
    SetScenario(String),
}

impl Reducible for AppState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut s = (*self).clone();
        match action {
            Action::SetLang(l) => s.lang = l,
            Action::Route(r) => {
                // A link that names a language opens in it.
                if let Some(l) = r.lang {
                    s.lang = l;
                }
                s.route = r;
            }
            Action::Pool(p) => s.pool = p,
            Action::Started(lab, demo) => {
                s.running = Some((lab, demo));
                s.error = None;
            }
            Action::Finished(r) => {
                s.running = None;
                s.last = Some(r);
                s.finished += 1;
            }
            Action::Failed(e) => {
                s.running = None;
                s.error = Some(e);
            }
            Action::SetScenario(text) => {
                let n = s.incoming.as_ref().map_or(1, |(n, _)| n + 1);
                s.incoming = Some((n, text));
            }
        }
        Rc::new(s)
    }
}

pub type AppContext = UseReducerHandle<AppState>;
