//! JSON values to Python objects and back, for inputs (call bodies) and `to_dict()`.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString};
use serde_json::{Map, Number, Value};

/// A JSON value as plain Python objects (dict, list, str, int, float, bool, None).
pub fn to_py(py: Python<'_>, v: &Value) -> PyResult<Py<PyAny>> {
    Ok(match v {
        Value::Null => py.None(),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any().unbind(),
        Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => i.into_pyobject(py)?.into_any().unbind(),
            (None, Some(u)) => u.into_pyobject(py)?.into_any().unbind(),
            _ => n.as_f64().unwrap_or(f64::NAN).into_pyobject(py)?.into_any().unbind(),
        },
        Value::String(s) => PyString::new(py, s).into_any().unbind(),
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(to_py(py, item)?)?;
            }
            list.into_any().unbind()
        }
        Value::Object(map) => {
            let dict = PyDict::new(py);
            for (k, item) in map {
                dict.set_item(k, to_py(py, item)?)?;
            }
            dict.into_any().unbind()
        }
    })
}

/// A Python value as JSON: dicts with str keys, lists and tuples, str, int, float, bool, None,
/// anything with `isoformat()` (dates) and Otto's own result objects.
pub fn from_py(o: &Bound<'_, PyAny>) -> PyResult<Value> {
    if o.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(b) = o.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if o.cast::<PyInt>().is_ok() {
        if let Ok(i) = o.extract::<i64>() {
            return Ok(Value::Number(i.into()));
        }
        return Ok(Value::Number(o.extract::<u64>()?.into()));
    }
    if let Ok(f) = o.cast::<PyFloat>() {
        let n =
            Number::from_f64(f.value()).ok_or_else(|| PyTypeError::new_err("NaN and infinity are not valid JSON"))?;
        return Ok(Value::Number(n));
    }
    if let Ok(s) = o.cast::<PyString>() {
        return Ok(Value::String(s.to_cow()?.into_owned()));
    }
    if let Ok(d) = o.cast::<PyDict>() {
        let mut map = Map::new();
        for (k, v) in d.iter() {
            let key: String = k.extract().map_err(|_| PyTypeError::new_err("dict keys must be str"))?;
            map.insert(key, from_py(&v)?);
        }
        return Ok(Value::Object(map));
    }
    if o.hasattr("to_dict")? {
        return from_py(&o.call_method0("to_dict")?);
    }
    if o.hasattr("isoformat")? {
        return Ok(Value::String(o.call_method0("isoformat")?.extract()?));
    }
    if let Ok(items) = o.try_iter() {
        let mut out = Vec::new();
        for item in items {
            out.push(from_py(&item?)?);
        }
        return Ok(Value::Array(out));
    }
    Err(PyTypeError::new_err(format!("cannot send a {} to Otto", o.get_type().name()?)))
}
