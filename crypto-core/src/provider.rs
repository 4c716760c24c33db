//! The provider: a policy, a date, and proof that the self-tests passed.

use std::sync::Arc;

use cryptrec::{Algorithm, Date, Policy, Use, Verdict};

use crate::{Error, selftest};

/// The handle every operation needs. Creating one runs the known-answer self-tests (once per
/// process); if any failed, no provider can be created, so no operation can run.
#[derive(Clone, Debug)]
pub struct Provider {
    policy: Arc<Policy>,
    as_of: Option<Date>,
}

/// What a key may do under the policy, decided when the key is made.
#[derive(Debug)]
pub(crate) struct Permission {
    protect: Option<Box<Verdict>>,
}

impl Permission {
    /// Everything permitted: for the self-tests, which run before any provider exists.
    pub(crate) fn allow_all() -> Permission {
        Permission { protect: None }
    }

    /// Permission to apply protection (encrypt, sign, MAC).
    pub(crate) fn protect(&self) -> Result<(), Error> {
        match &self.protect {
            None => Ok(()),
            Some(v) => Err(Error::Refused(v.clone())),
        }
    }
}

impl Provider {
    /// A provider enforcing `policy`, evaluated at today's date.
    pub fn new(policy: Policy) -> Result<Provider, Error> {
        selftest::ensure_passed()?;
        Ok(Provider {
            policy: Arc::new(policy),
            as_of: None,
        })
    }

    /// The `egov` provider the self-tests themselves use (they run before any provider may
    /// be made, so this one skips them).
    pub(crate) fn unchecked_for_selftest() -> Result<Provider, Error> {
        Ok(Provider {
            policy: Arc::new(Policy::default_policy()?),
            as_of: None,
        })
    }

    /// A provider enforcing the default `egov` policy.
    pub fn egov() -> Result<Provider, Error> {
        Self::new(Policy::default_policy()?)
    }

    /// The same provider, evaluating the policy as of `date` instead of today.
    pub fn at_date(mut self, date: Date) -> Provider {
        self.as_of = Some(date);
        self
    }

    /// The evaluation date.
    pub fn date(&self) -> Date {
        self.as_of.unwrap_or_else(Policy::today)
    }

    /// The policy.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// The verdict for `alg` and `use_`; an error carrying it when refused.
    pub fn check(&self, alg: &Algorithm, use_: Use) -> Result<Verdict, Error> {
        let v = self.policy.evaluate(alg, use_, self.date());
        if v.allows() {
            Ok(v)
        } else {
            Err(Error::Refused(Box::new(v)))
        }
    }

    /// The verdict for a hybrid key establishment as a whole (see
    /// [`Policy::evaluate_hybrid`]); an error carrying it when refused.
    pub fn check_hybrid(
        &self,
        classical: &Algorithm,
        pq: &Algorithm,
        use_: Use,
    ) -> Result<Verdict, Error> {
        let v = self
            .policy
            .evaluate_hybrid(classical, pq, use_, self.date());
        if v.allows() {
            Ok(v)
        } else {
            Err(Error::Refused(Box::new(v)))
        }
    }

    /// Permission for a key: processing must be permitted to make it at all; protecting is
    /// checked again when the key is asked to protect.
    pub(crate) fn permission(&self, alg: &Algorithm) -> Result<Permission, Error> {
        self.check(alg, Use::Process)?;
        let protect = self.policy.evaluate(alg, Use::Protect, self.date());
        Ok(Permission {
            protect: (!protect.allows()).then(|| Box::new(protect)),
        })
    }
}
