//! Transit searches behind one small interface: the steady-state (frequency-based) search and
//! RAPTOR on a service day's timetable. Both answer the earliest arrival at every stop and
//! reconstruct the journey to any of them, which is all an analysis needs of an engine.

pub mod frequency;
pub mod raptor;

/// What a finished transit search answers.
pub trait TransitSearch {
    /// One step of a journey, as this engine records it.
    type Step;
    /// Earliest arrival at `stop` after at least one ride (steady state: seconds after
    /// leaving the origin; timetable: seconds on the service day's clock), `None` if the
    /// search did not reach it.
    fn arrival_s(&self, stop: u32) -> Option<f64>;
    /// The steps of the journey reaching `stop` at that arrival, first to last; `None` if it
    /// was not reached.
    fn itinerary(&self, stop: u32) -> Option<Vec<Self::Step>>;
}

/// A steady-state search's labels with the graph they were computed on.
#[derive(Debug, Clone, Copy)]
pub struct FrequencyRun<'a> {
    pub graph: &'a frequency::TransitGraph,
    pub labels: &'a frequency::Labels,
}

impl TransitSearch for FrequencyRun<'_> {
    type Step = frequency::Step;

    fn arrival_s(&self, stop: u32) -> Option<f64> {
        let t = self.labels.ridden(stop);
        t.is_finite().then_some(t as f64)
    }

    fn itinerary(&self, stop: u32) -> Option<Vec<frequency::Step>> {
        self.arrival_s(stop)?;
        Some(self.labels.itinerary(self.graph, stop))
    }
}

/// One RAPTOR run: the engine after [`raptor::Raptor::run`], the access it ran from and the
/// arrivals it wrote.
#[derive(Clone, Copy)]
pub struct RaptorRun<'r, 'a> {
    pub raptor: &'r raptor::Raptor<'a>,
    pub access: &'r [(u32, i32)],
    pub arrivals: &'r [i32],
}

impl TransitSearch for RaptorRun<'_, '_> {
    type Step = raptor::JourneyLeg;

    fn arrival_s(&self, stop: u32) -> Option<f64> {
        let t = *self.arrivals.get(stop as usize)?;
        (t != crate::network::timetable::UNREACHED).then_some(t as f64)
    }

    fn itinerary(&self, stop: u32) -> Option<Vec<raptor::JourneyLeg>> {
        self.raptor.journey(self.access, stop)
    }
}
