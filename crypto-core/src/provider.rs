//! The provider: a policy, a date, and proof that the self-tests passed.

use std::sync::Arc;

use cryptrec::{Algorithm, Date, Policy, Use, Verdict};

use crate::{Error, selftest};

/// The date the self-tests evaluate the `egov` policy on: inside the term of the embedded
/// LS-0003 dataset, when every algorithm they exercise (112-bit ones included) is permitted.
pub(crate) const SELFTEST_DATE: Date = time::macros::date!(2026 - 01 - 01);

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
    ///
    /// It evaluates the policy on a fixed date, [`SELFTEST_DATE`], not today: a self-test
    /// asks whether the code computes the published answers, not whether the policy permits
    /// the algorithm now. On today's date the DH-2048 and DSA-2048 self-tests would start
    /// failing on 2031-01-01 (112-bit strength leaves new protection) and take every DH and
    /// DSA operation down with them, also processing that the policy still permits.
    pub(crate) fn unchecked_for_selftest() -> Result<Provider, Error> {
        Ok(Provider {
            policy: Arc::new(Policy::default_policy()?),
            as_of: Some(SELFTEST_DATE),
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

#[cfg(test)]
mod selftest_gate_tests {
    use super::*;
    use crate::selftest::injected;

    #[test]
    fn a_failing_self_test_blocks_every_provider() {
        let good = injected::embedded();
        // One ciphertext byte of the first AES-GCM vector changed: that self-test fails.
        let ct = "ct = \"0388dace60b6a392f328c2b971b2fe78\"";
        assert_eq!(
            good.matches(ct).count(),
            1,
            "the vector this test alters moved"
        );
        let bad = good.replace(ct, "ct = \"1388dace60b6a392f328c2b971b2fe78\"");
        let err = injected::with_vectors(bad, || Provider::egov().err().unwrap());
        assert!(
            matches!(&err, Error::SelfTestFailed(names) if names == "aes-128-gcm"),
            "{err:?}"
        );
        let err = injected::with_vectors("[[aead]]\nname = 1\n".into(), || {
            Provider::new(Policy::named("egov-high").unwrap())
                .err()
                .unwrap()
        });
        assert!(
            matches!(&err, Error::SelfTestFailed(names) if names == "test-vectors/kat"),
            "{err:?}"
        );
        // The unaltered vectors pass, and outside the injection the real report decides.
        assert!(injected::with_vectors(good, Provider::egov).is_ok());
        assert!(Provider::egov().is_ok());
    }
}
