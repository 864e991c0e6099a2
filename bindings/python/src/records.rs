//! Typed result objects. Each wraps the API's JSON for one result type: fields read as
//! attributes (nested objects as [`Record`]s, or their own class where the stubs promise one),
//! `to_dict()` gives plain Python data and `to_dataframe()` a pandas DataFrame (the table's
//! rows, or one row for a single object). The attribute names are the API's field names, and
//! `otto/_otto.pyi` declares them (a test checks the two agree).

use std::sync::Arc;

use pyo3::exceptions::{PyAttributeError, PyImportError};
use pyo3::prelude::*;
use pyo3::types::PyList;
use serde_json::Value;

use crate::convert;

/// Builds a result object from the API's JSON.
pub trait FromValue {
    /// Wraps `value`.
    fn from_value(value: Value) -> Self;
}

/// A result object from any serialisable result.
pub fn rec<T: serde::Serialize, R: FromValue>(t: T) -> R {
    R::from_value(serde_json::to_value(t).unwrap_or(Value::Null))
}

type Wrap = fn(Python<'_>, Value) -> PyResult<Py<PyAny>>;

fn wrap<T>(py: Python<'_>, v: Value) -> PyResult<Py<PyAny>>
where
    T: FromValue + pyo3::PyClass + Into<pyo3::PyClassInitializer<T>>,
{
    Ok(Py::new(py, T::from_value(v))?.into_any())
}

fn lift(py: Python<'_>, v: &Value, child: Option<Wrap>) -> PyResult<Py<PyAny>> {
    match v {
        Value::Object(_) => child.unwrap_or(wrap::<Record>)(py, v.clone()),
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(lift(py, item, child)?)?;
            }
            Ok(list.into_any().unbind())
        }
        other => convert::to_py(py, other),
    }
}

fn fields(value: &Value) -> Vec<String> {
    value.as_object().map(|m| m.keys().cloned().collect()).unwrap_or_default()
}

fn get(py: Python<'_>, class: &str, value: &Value, name: &str, child: Option<Wrap>) -> PyResult<Py<PyAny>> {
    match value.get(name) {
        Some(v) => lift(py, v, child),
        None => Err(PyAttributeError::new_err(format!(
            "'{class}' has no field '{name}' (fields: {})",
            fields(value).join(", ")
        ))),
    }
}

fn repr(class: &str, value: &Value) -> String {
    let json = value.to_string();
    let shown: String = json.chars().take(200).collect();
    let more = if shown.len() < json.len() { "..." } else { "" };
    format!("{class}({shown}{more})")
}

fn dataframe(py: Python<'_>, value: &Value, rows: Option<&str>) -> PyResult<Py<PyAny>> {
    let pandas = py
        .import("pandas")
        .map_err(|_| PyImportError::new_err("to_dataframe() needs pandas: pip install 'otto[pandas]'"))?;
    let data = match rows {
        Some(key) => value.get(key).cloned().unwrap_or(Value::Array(Vec::new())),
        None => Value::Array(vec![value.clone()]),
    };
    Ok(pandas.getattr("DataFrame")?.call1((convert::to_py(py, &data)?,))?.unbind())
}

macro_rules! records {
    ($( $(#[$doc:meta])* $name:ident { rows: $rows:expr, children: [$($key:literal => $child:ident),*] } )*) => { $(
        $(#[$doc])*
        #[pyclass(frozen, module = "otto")]
        #[derive(Clone)]
        pub struct $name {
            value: Arc<Value>,
        }

        impl FromValue for $name {
            fn from_value(value: Value) -> Self {
                Self { value: Arc::new(value) }
            }
        }

        impl $name {
            fn child(key: &str) -> Option<Wrap> {
                match key {
                    $($key => Some(wrap::<$child>),)*
                    _ => None,
                }
            }
        }

        #[pymethods]
        impl $name {
            fn __getattr__(&self, py: Python<'_>, name: &str) -> PyResult<Py<PyAny>> {
                get(py, stringify!($name), &self.value, name, Self::child(name))
            }

            /// The result as plain Python data (dicts, lists, str, numbers).
            fn to_dict(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
                convert::to_py(py, &self.value)
            }

            /// The result as a pandas DataFrame (needs pandas).
            fn to_dataframe(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
                dataframe(py, &self.value, $rows)
            }

            fn __repr__(&self) -> String {
                repr(stringify!($name), &self.value)
            }

            fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
                other.cast::<$name>().is_ok_and(|o| o.get().value == self.value)
            }

            fn __dir__(&self) -> Vec<String> {
                let mut names = fields(&self.value);
                names.extend(["to_dict".to_string(), "to_dataframe".to_string()]);
                names
            }
        }
    )* };
}

records! {
    /// Any nested object of a result.
    Record { rows: None, children: [] }
    /// A call and its processing status.
    Call { rows: None, children: [] }
    /// A call's full analysis (`analysis` holds lead, objections, SOP, coaching...).
    Analysis { rows: Some("objections"), children: ["objections" => Objection] }
    /// The objections raised on a call.
    Objections { rows: Some("objections"), children: ["objections" => Objection] }
    /// One objection, with how it was handled and the words it rests on.
    Objection { rows: None, children: [] }
    /// An uploaded document and its ingestion status.
    Document { rows: None, children: [] }
    /// An Ask Otto answer with its citations.
    Answer { rows: Some("citations"), children: ["citations" => Citation] }
    /// A source an answer rests on.
    Citation { rows: None, children: [] }
    /// Performance metrics.
    Performance { rows: None, children: [] }
    /// Per-rep performance (`reps`).
    RepPerformance { rows: Some("reps"), children: [] }
    /// Objection analytics (`top_objections`).
    ObjectionAnalytics { rows: Some("top_objections"), children: [] }
    /// Lead analytics (`leads`).
    LeadAnalytics { rows: Some("leads"), children: [] }
}
