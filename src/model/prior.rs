//! Priors for uncertain parameters. Each maps a unit-cube coordinate u ∈ (0, 1) to a value
//! through its quantile function F⁻¹(u), so a space-filling design on the cube stays
//! space-filling (and stratified) in the parameters' own distributions.
//!
//!   uniform(a, b)             F⁻¹(u) = a + u(b − a)
//!   log_uniform(a, b), a > 0  F⁻¹(u) = a (b/a)^u
//!   normal(μ, σ)              F⁻¹(u) = μ + σ Φ⁻¹(u)
//!   truncated_normal(μ, σ, a, b)
//!                             F⁻¹(u) = μ + σ Φ⁻¹(Φ(α) + u(Φ(β) − Φ(α))),  α = (a − μ)/σ, β = (b − μ)/σ
//!                             (computed in the lower tail, by symmetry, for accuracy)
//!   beta(p, q) on [a, b]      F⁻¹(u) = a + (b − a) I⁻¹_u(p, q)   (regularised incomplete beta)
//!   triangular(a, c, b)       F⁻¹(u) = a + √(u(b − a)(c − a))            for u < (c − a)/(b − a)
//!                                      b − √((1 − u)(b − a)(b − c))      otherwise

use std::collections::BTreeMap;

use statrs::distribution::{Beta, ContinuousCDF, Normal};
use thiserror::Error;

/// Why a prior was refused.
#[derive(Debug, Error, PartialEq)]
pub enum PriorError {
    #[error("unknown prior \"{got}\"{hint}; allowed: {}", KINDS.join(", "))]
    UnknownKind { got: String, hint: String },
    #[error("{kind} prior needs \"{param}\" ({params})")]
    Missing {
        kind: &'static str,
        param: &'static str,
        params: String,
    },
    #[error("{kind} prior has no parameter \"{param}\"{hint}; it takes {params}")]
    UnknownParam {
        kind: &'static str,
        param: String,
        hint: String,
        params: String,
    },
    #[error("{kind} prior: {param} = {value} is not a finite number")]
    NotFinite {
        kind: &'static str,
        param: &'static str,
        value: f64,
    },
    #[error("{kind} prior: {reason}")]
    Invalid { kind: &'static str, reason: String },
    #[error(
        "{kind} prior spans [{low}, {high}] but the field allows only [{allowed_low}, {allowed_high}]{advice}"
    )]
    OutsideRange {
        kind: &'static str,
        low: f64,
        high: f64,
        allowed_low: f64,
        allowed_high: f64,
        advice: &'static str,
    },
}

/// The prior families, by the names a scenario uses.
pub const KINDS: [&str; 6] = [
    "uniform",
    "log_uniform",
    "normal",
    "truncated_normal",
    "beta",
    "triangular",
];

#[derive(Debug, Clone, PartialEq)]
enum Kind {
    Uniform {
        low: f64,
        high: f64,
    },
    LogUniform {
        low: f64,
        high: f64,
    },
    Normal {
        mean: f64,
        sd: f64,
    },
    TruncatedNormal {
        mean: f64,
        sd: f64,
        low: f64,
        high: f64,
    },
    Beta {
        alpha: f64,
        beta: f64,
        low: f64,
        high: f64,
    },
    Triangular {
        low: f64,
        mode: f64,
        high: f64,
    },
}

/// Required parameter names, then optional ones with their defaults.
pub type ParamNames = (&'static [&'static str], &'static [(&'static str, f64)]);

/// A validated prior distribution.
#[derive(Debug, Clone, PartialEq)]
pub struct Prior {
    kind: Kind,
}

fn finite(kind: &'static str, param: &'static str, value: f64) -> Result<f64, PriorError> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(PriorError::NotFinite { kind, param, value })
    }
}

fn ordered(kind: &'static str, low: f64, high: f64) -> Result<(), PriorError> {
    finite(kind, "low", low)?;
    finite(kind, "high", high)?;
    if low < high {
        Ok(())
    } else {
        Err(PriorError::Invalid {
            kind,
            reason: format!("low ({low}) must be below high ({high})"),
        })
    }
}

fn positive(kind: &'static str, param: &'static str, value: f64) -> Result<(), PriorError> {
    finite(kind, param, value)?;
    if value > 0.0 {
        Ok(())
    } else {
        Err(PriorError::Invalid {
            kind,
            reason: format!("{param} ({value}) must be greater than 0"),
        })
    }
}

fn std_normal() -> Normal {
    Normal::new(0.0, 1.0).expect("the standard normal is valid")
}

impl Prior {
    pub fn uniform(low: f64, high: f64) -> Result<Prior, PriorError> {
        ordered("uniform", low, high)?;
        Ok(Prior {
            kind: Kind::Uniform { low, high },
        })
    }

    pub fn log_uniform(low: f64, high: f64) -> Result<Prior, PriorError> {
        ordered("log_uniform", low, high)?;
        positive("log_uniform", "low", low)?;
        Ok(Prior {
            kind: Kind::LogUniform { low, high },
        })
    }

    pub fn normal(mean: f64, sd: f64) -> Result<Prior, PriorError> {
        finite("normal", "mean", mean)?;
        positive("normal", "sd", sd)?;
        Ok(Prior {
            kind: Kind::Normal { mean, sd },
        })
    }

    pub fn truncated_normal(mean: f64, sd: f64, low: f64, high: f64) -> Result<Prior, PriorError> {
        let kind = "truncated_normal";
        finite(kind, "mean", mean)?;
        positive(kind, "sd", sd)?;
        ordered(kind, low, high)?;
        // Beyond ~37 sd both tails underflow to 0 and the quantile is undefined.
        let n = std_normal();
        let (a, b) = ((low - mean) / sd, (high - mean) / sd);
        let mass = if a > 0.0 {
            n.cdf(-a) - n.cdf(-b)
        } else {
            n.cdf(b) - n.cdf(a)
        };
        if mass <= 0.0 {
            return Err(PriorError::Invalid {
                kind,
                reason: format!(
                    "[{low}, {high}] lies too far in the tail of normal({mean}, {sd}) to hold any probability"
                ),
            });
        }
        Ok(Prior {
            kind: Kind::TruncatedNormal {
                mean,
                sd,
                low,
                high,
            },
        })
    }

    /// Beta(alpha, beta) stretched onto [low, high] ([0, 1] is the standard beta).
    pub fn beta(alpha: f64, beta: f64, low: f64, high: f64) -> Result<Prior, PriorError> {
        positive("beta", "alpha", alpha)?;
        positive("beta", "beta", beta)?;
        ordered("beta", low, high)?;
        Ok(Prior {
            kind: Kind::Beta {
                alpha,
                beta,
                low,
                high,
            },
        })
    }

    pub fn triangular(low: f64, mode: f64, high: f64) -> Result<Prior, PriorError> {
        let kind = "triangular";
        ordered(kind, low, high)?;
        finite(kind, "mode", mode)?;
        if !(low <= mode && mode <= high) {
            return Err(PriorError::Invalid {
                kind,
                reason: format!("mode ({mode}) must lie within [low, high] = [{low}, {high}]"),
            });
        }
        Ok(Prior {
            kind: Kind::Triangular { low, mode, high },
        })
    }

    /// The parameter names of a family, required first, then optional ones with defaults.
    pub fn params_of(kind: &str) -> Option<ParamNames> {
        Some(match kind {
            "uniform" | "log_uniform" => (&["low", "high"], &[]),
            "normal" => (&["mean", "sd"], &[]),
            "truncated_normal" => (&["mean", "sd", "low", "high"], &[]),
            "beta" => (&["alpha", "beta"], &[("low", 0.0), ("high", 1.0)]),
            "triangular" => (&["low", "mode", "high"], &[]),
            _ => return None,
        })
    }

    /// A prior from its family name and named parameters (as a scenario file gives them),
    /// with "did you mean" hints for misspelt names.
    pub fn from_parts(kind: &str, params: &BTreeMap<String, f64>) -> Result<Prior, PriorError> {
        let Some(name) = KINDS.iter().copied().find(|k| *k == kind) else {
            return Err(PriorError::UnknownKind {
                got: kind.to_string(),
                hint: did_you_mean(kind, KINDS.iter().copied()),
            });
        };
        let (required, optional) =
            Prior::params_of(name).expect("every listed kind has parameters");
        let listing = required
            .iter()
            .map(|p| p.to_string())
            .chain(optional.iter().map(|(p, d)| format!("{p} (default {d})")))
            .collect::<Vec<_>>()
            .join(", ");
        let known = || {
            required
                .iter()
                .copied()
                .chain(optional.iter().map(|(p, _)| *p))
        };
        if let Some(extra) = params.keys().find(|k| !known().any(|p| p == k.as_str())) {
            return Err(PriorError::UnknownParam {
                kind: name,
                param: extra.clone(),
                hint: did_you_mean(extra, known()),
                params: listing,
            });
        }
        let get = |p: &'static str| -> Result<f64, PriorError> {
            match params.get(p) {
                Some(v) => Ok(*v),
                None => optional
                    .iter()
                    .find(|(o, _)| *o == p)
                    .map(|(_, d)| *d)
                    .ok_or_else(|| PriorError::Missing {
                        kind: name,
                        param: p,
                        params: listing.clone(),
                    }),
            }
        };
        match name {
            "uniform" => Prior::uniform(get("low")?, get("high")?),
            "log_uniform" => Prior::log_uniform(get("low")?, get("high")?),
            "normal" => Prior::normal(get("mean")?, get("sd")?),
            "truncated_normal" => {
                Prior::truncated_normal(get("mean")?, get("sd")?, get("low")?, get("high")?)
            }
            "beta" => Prior::beta(get("alpha")?, get("beta")?, get("low")?, get("high")?),
            _ => Prior::triangular(get("low")?, get("mode")?, get("high")?),
        }
    }

    /// The family name.
    pub fn kind(&self) -> &'static str {
        match self.kind {
            Kind::Uniform { .. } => "uniform",
            Kind::LogUniform { .. } => "log_uniform",
            Kind::Normal { .. } => "normal",
            Kind::TruncatedNormal { .. } => "truncated_normal",
            Kind::Beta { .. } => "beta",
            Kind::Triangular { .. } => "triangular",
        }
    }

    /// The closed support [low, high] (infinite ends for the normal).
    pub fn support(&self) -> (f64, f64) {
        match self.kind {
            Kind::Uniform { low, high }
            | Kind::LogUniform { low, high }
            | Kind::TruncatedNormal { low, high, .. }
            | Kind::Beta { low, high, .. }
            | Kind::Triangular { low, high, .. } => (low, high),
            Kind::Normal { .. } => (f64::NEG_INFINITY, f64::INFINITY),
        }
    }

    /// Refuses a prior whose support leaves a field's allowed range [low, high].
    pub fn fits_within(&self, low: f64, high: f64) -> Result<(), PriorError> {
        let (a, b) = self.support();
        if a >= low && b <= high {
            return Ok(());
        }
        Err(PriorError::OutsideRange {
            kind: self.kind(),
            low: a,
            high: b,
            allowed_low: low,
            allowed_high: high,
            advice: if matches!(self.kind, Kind::Normal { .. }) {
                "; use truncated_normal to bound it"
            } else {
                ""
            },
        })
    }

    /// The quantile F⁻¹(u) for u ∈ [0, 1] (the support's ends at 0 and 1); NaN outside.
    pub fn quantile(&self, u: f64) -> f64 {
        if !(0.0..=1.0).contains(&u) {
            return f64::NAN;
        }
        match self.kind {
            Kind::Uniform { low, high } => low + u * (high - low),
            Kind::LogUniform { low, high } => (low.ln() + u * (high.ln() - low.ln()))
                .exp()
                .clamp(low, high),
            Kind::Normal { mean, sd } => mean + sd * std_normal().inverse_cdf(u),
            Kind::TruncatedNormal {
                mean,
                sd,
                low,
                high,
            } => {
                let n = std_normal();
                let (a, b) = ((low - mean) / sd, (high - mean) / sd);
                // Work in whichever tail keeps Φ away from 1, where it loses precision.
                let z = if a > 0.0 {
                    let (pa, pb) = (n.cdf(-a), n.cdf(-b));
                    -n.inverse_cdf(pa - u * (pa - pb))
                } else {
                    let (pa, pb) = (n.cdf(a), n.cdf(b));
                    n.inverse_cdf(pa + u * (pb - pa))
                };
                (mean + sd * z).clamp(low, high)
            }
            Kind::Beta {
                alpha,
                beta,
                low,
                high,
            } => {
                let x = Beta::new(alpha, beta).expect("validated").inverse_cdf(u);
                low + (high - low) * x
            }
            Kind::Triangular { low, mode, high } => {
                let (w, left) = (high - low, mode - low);
                if u * w < left {
                    low + (u * w * left).sqrt()
                } else {
                    high - ((1.0 - u) * w * (high - mode)).sqrt()
                }
            }
        }
    }
}

/// ", did you mean \"x\"?" when a candidate is close (Jaro–Winkler ≥ 0.8), else "".
pub fn did_you_mean<'a>(got: &str, candidates: impl Iterator<Item = &'a str>) -> String {
    candidates
        .map(|c| (strsim::jaro_winkler(got, c), c))
        .filter(|(s, _)| *s >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| format!(", did you mean \"{c}\"?"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use statrs::distribution::Triangular;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol * (1.0 + b.abs())
    }

    #[test]
    fn quantiles_match_closed_forms() {
        let u = Prior::uniform(2.0, 6.0).unwrap();
        assert_eq!(u.quantile(0.25), 3.0);
        let l = Prior::log_uniform(1.0, 100.0).unwrap();
        assert!(
            close(l.quantile(0.5), 10.0, 1e-14),
            "median is the geometric mean"
        );
        let n = Prior::normal(1.0, 2.0).unwrap();
        assert!(close(
            n.quantile(0.975),
            1.0 + 2.0 * 1.959_963_984_540_054,
            1e-9
        ));
        assert!(close(n.quantile(0.5), 1.0, 1e-12));
        // Beta(2, 1) has CDF x², so F⁻¹(u) = √u; stretched onto [10, 20].
        let b = Prior::beta(2.0, 1.0, 10.0, 20.0).unwrap();
        assert!(close(b.quantile(0.36), 16.0, 1e-9));
        // Beta(2, 2) is symmetric: its median is the centre.
        assert!(close(
            Prior::beta(2.0, 2.0, 0.0, 1.0).unwrap().quantile(0.5),
            0.5,
            1e-9
        ));
    }

    #[test]
    fn triangular_quantile_agrees_with_statrs() {
        let p = Prior::triangular(1.0, 2.0, 5.0).unwrap();
        let t = Triangular::new(1.0, 5.0, 2.0).unwrap();
        for u in [0.01, 0.1, 0.25, 0.5, 0.9, 0.99] {
            assert!(close(p.quantile(u), t.inverse_cdf(u), 1e-12), "u = {u}");
        }
        assert_eq!(
            p.quantile(0.25),
            2.0,
            "the mode sits at u = (c − a)/(b − a)"
        );
    }

    #[test]
    fn truncated_normal_quantile_inverts_its_cdf_even_far_in_the_tail() {
        let n = Normal::new(0.0, 1.0).unwrap();
        for (mean, sd, low, high) in [
            (0.0, 1.0, -1.0, 2.0),
            (5.0, 1.0, 12.0, 13.0),
            (0.0, 2.0, -30.0, -20.0),
        ] {
            let p = Prior::truncated_normal(mean, sd, low, high).unwrap();
            for u in [0.05, 0.3, 0.5, 0.8, 0.95] {
                let x = p.quantile(u);
                assert!((low..=high).contains(&x));
                let (a, b, z) = ((low - mean) / sd, (high - mean) / sd, (x - mean) / sd);
                // Upper-tail form of the truncated CDF, accurate where Φ is near 1.
                let cdf = (n.sf(a) - n.sf(z)) / (n.sf(a) - n.sf(b));
                let cdf = if a > 0.0 {
                    cdf
                } else {
                    (n.cdf(z) - n.cdf(a)) / (n.cdf(b) - n.cdf(a))
                };
                assert!(
                    close(cdf, u, 1e-6),
                    "({mean},{sd},{low},{high}) u {u} cdf {cdf}"
                );
            }
        }
        let sym = Prior::truncated_normal(3.0, 1.0, 1.0, 5.0).unwrap();
        assert!(close(sym.quantile(0.5), 3.0, 1e-12));
    }

    #[test]
    fn bad_parameters_say_what_is_allowed() {
        let e = Prior::uniform(2.0, 1.0).unwrap_err().to_string();
        assert!(e.contains("low (2) must be below high (1)"), "{e}");
        let e = Prior::log_uniform(0.0, 1.0).unwrap_err().to_string();
        assert!(e.contains("low (0) must be greater than 0"), "{e}");
        assert!(Prior::normal(0.0, -1.0).is_err());
        assert!(Prior::normal(f64::NAN, 1.0).is_err());
        assert!(Prior::beta(0.0, 1.0, 0.0, 1.0).is_err());
        let e = Prior::triangular(0.0, 3.0, 2.0).unwrap_err().to_string();
        assert!(e.contains("mode (3) must lie within"), "{e}");
        assert!(Prior::truncated_normal(0.0, 1.0, 50.0, 60.0).is_err());
    }

    #[test]
    fn named_parts_build_priors_and_misspellings_get_hints() {
        let mut p = BTreeMap::new();
        p.insert("alpha".to_string(), 2.0);
        p.insert("beta".to_string(), 5.0);
        let b = Prior::from_parts("beta", &p).unwrap();
        assert_eq!(b.support(), (0.0, 1.0));
        let e = Prior::from_parts("log-uniform", &p)
            .unwrap_err()
            .to_string();
        assert!(e.contains("did you mean \"log_uniform\""), "{e}");
        p.insert("hihg".to_string(), 1.0);
        let e = Prior::from_parts("beta", &p).unwrap_err().to_string();
        assert!(
            e.contains("no parameter \"hihg\", did you mean \"high\"?"),
            "{e}"
        );
        let mut q = BTreeMap::new();
        q.insert("low".to_string(), 0.0);
        let e = Prior::from_parts("uniform", &q).unwrap_err().to_string();
        assert!(e.contains("needs \"high\""), "{e}");
    }

    #[test]
    fn a_prior_must_fit_the_fields_range() {
        let p = Prior::uniform(0.0, 2.0).unwrap();
        assert!(p.fits_within(0.0, 2.0).is_ok());
        let e = p.fits_within(0.0, 1.0).unwrap_err().to_string();
        assert!(
            e.contains("spans [0, 2] but the field allows only [0, 1]"),
            "{e}"
        );
        let e = Prior::normal(0.5, 0.1)
            .unwrap()
            .fits_within(0.0, 1.0)
            .unwrap_err()
            .to_string();
        assert!(e.contains("truncated_normal"), "{e}");
    }

    proptest! {
        #[test]
        fn quantiles_are_monotone_and_inside_the_support(u in 0.0f64..1.0, v in 0.0f64..1.0) {
            let (lo, hi) = if u <= v { (u, v) } else { (v, u) };
            for p in [
                Prior::uniform(-1.0, 3.0).unwrap(),
                Prior::log_uniform(0.01, 10.0).unwrap(),
                Prior::normal(0.0, 1.0).unwrap(),
                Prior::truncated_normal(0.2, 0.5, 0.0, 1.0).unwrap(),
                Prior::beta(0.5, 3.0, -2.0, 2.0).unwrap(),
                Prior::triangular(0.0, 0.0, 1.0).unwrap(),
            ] {
                let (a, b) = (p.quantile(lo), p.quantile(hi));
                prop_assert!(a <= b, "{} not monotone: F⁻¹({lo}) = {a} > F⁻¹({hi}) = {b}", p.kind());
                let (s0, s1) = p.support();
                prop_assert!(a >= s0 && b <= s1);
            }
        }
    }
}
