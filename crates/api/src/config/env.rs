//! The environment reader: trimmed values of `AOS_*` variables, and every problem found while reading them,
//! so one run reports them all. Knows nothing of what the variables mean.

use std::collections::HashMap;
use std::fmt;

/// One configuration problem: which variable, what is wrong, how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigProblem {
    pub var: String,
    pub problem: String,
    pub fix: String,
}

impl fmt::Display for ConfigProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}\n    fix: {}", self.var, self.problem, self.fix)
    }
}

/// All problems found, reported together.
#[derive(Debug, Clone)]
pub struct ConfigErrors(pub Vec<ConfigProblem>);

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "configuration is invalid ({} problem(s)):", self.0.len())?;
        for p in &self.0 {
            writeln!(f, "  - {p}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigErrors {}

/// The variables being read and the problems found so far, in the order they were found.
pub(super) struct Env<'a> {
    vars: &'a HashMap<String, String>,
    problems: Vec<ConfigProblem>,
}

impl<'a> Env<'a> {
    pub(super) fn new(vars: &'a HashMap<String, String>) -> Self {
        Self {
            vars,
            problems: Vec::new(),
        }
    }

    /// The value of `var`, trimmed; `None` when unset or blank.
    pub(super) fn get(&self, var: &str) -> Option<String> {
        self.vars
            .get(var)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    }

    /// Names of the variables that start with `prefix`, set or blank.
    pub(super) fn names_with_prefix(&self, prefix: &str) -> Vec<&'a str> {
        let vars: &'a HashMap<String, String> = self.vars;
        vars.keys()
            .map(String::as_str)
            .filter(|k| k.starts_with(prefix))
            .collect()
    }

    /// Record a problem with `var` and how to fix it.
    pub(super) fn bad(&mut self, var: &str, problem: String, fix: &str) {
        self.problems.push(ConfigProblem {
            var: var.into(),
            problem,
            fix: fix.into(),
        });
    }

    /// A whole number in `min..=max`, or `default` when unset (and, with a problem, when out of range).
    pub(super) fn number(&mut self, var: &str, default: i64, min: i64, max: i64) -> i64 {
        match self.get(var) {
            None => default,
            Some(v) => match v.parse::<i64>() {
                Ok(n) if (min..=max).contains(&n) => n,
                _ => {
                    self.bad(
                        var,
                        format!("`{v}` is not a number between {min} and {max}"),
                        "set a whole number in range or unset it",
                    );
                    default
                }
            },
        }
    }

    /// `value` when nothing was wrong, else every problem.
    pub(super) fn finish<T>(self, value: T) -> Result<T, ConfigErrors> {
        if self.problems.is_empty() {
            Ok(value)
        } else {
            Err(ConfigErrors(self.problems))
        }
    }
}

/// The variables of a test, as the process environment would hold them.
#[cfg(test)]
pub(super) fn vars(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}
