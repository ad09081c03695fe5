//! API errors in the OGC exception shape: `{ "code", "description" }` with the status that
//! fits, always as `application/json`.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// Everything a request can fail with. Each variant maps to one status and one `code`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ApiError {
    /// A query parameter or body field has a value the service cannot use (400).
    #[error("{parameter}: {description}")]
    InvalidParameter {
        parameter: String,
        description: String,
        suggestions: Vec<String>,
    },
    /// A scenario's modifications that cannot be applied (422): every problem with its index,
    /// type and field.
    #[error("{description}")]
    InvalidScenario {
        description: String,
        problems: serde_json::Value,
    },
    /// A collection, feature or path that does not exist (404).
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    MethodNotAllowed(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    Timeout(String),
    #[error("{0}")]
    Internal(String),
}

impl ApiError {
    pub fn param(parameter: impl Into<String>, description: impl Into<String>) -> ApiError {
        ApiError::InvalidParameter {
            parameter: parameter.into(),
            description: description.into(),
            suggestions: Vec::new(),
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::InvalidParameter { .. } => StatusCode::BAD_REQUEST,
            ApiError::InvalidScenario { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Timeout(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            ApiError::InvalidParameter { .. } => "InvalidParameterValue",
            ApiError::InvalidScenario { .. } => "InvalidScenario",
            ApiError::NotFound(_) => "NotFound",
            ApiError::MethodNotAllowed(_) => "MethodNotAllowed",
            ApiError::UnsupportedMediaType(_) => "UnsupportedMediaType",
            ApiError::PayloadTooLarge(_) => "PayloadTooLarge",
            ApiError::Timeout(_) => "ServiceUnavailable",
            ApiError::Internal(_) => "InternalError",
        }
    }

    pub fn body(&self) -> serde_json::Value {
        let mut v = json!({ "code": self.code(), "description": self.to_string() });
        if let ApiError::InvalidParameter {
            parameter,
            suggestions,
            ..
        } = self
        {
            v["parameter"] = json!(parameter);
            if !suggestions.is_empty() {
                v["suggestions"] = json!(suggestions);
            }
        }
        if let ApiError::InvalidScenario { problems, .. } = self {
            v["parameter"] = json!("scenario");
            v["problems"] = problems.clone();
        }
        v
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::to_vec(&self.body()).unwrap_or_default();
        let mut res = (self.status(), body).into_response();
        res.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        res
    }
}

impl From<crate::reach::ReachError> for ApiError {
    fn from(e: crate::reach::ReachError) -> ApiError {
        let suggestions = match &e {
            crate::reach::ReachError::UnknownPlace(
                crate::catalog::CatalogError::UnknownPlace { suggestions, .. },
            ) => suggestions.clone(),
            _ => Vec::new(),
        };
        // The parameter is prefixed once, by `ApiError`'s own message.
        let description = match &e {
            crate::reach::ReachError::InvalidParameter { message, .. } => message.clone(),
            other => other.to_string(),
        };
        ApiError::InvalidParameter {
            parameter: e.parameter().to_string(),
            description,
            suggestions,
        }
    }
}

impl From<crate::scenario::ScenarioError> for ApiError {
    fn from(e: crate::scenario::ScenarioError) -> ApiError {
        use crate::scenario::ScenarioError as E;
        match e {
            E::Reach(r) => r.into(),
            E::Invalid(problems) => ApiError::InvalidScenario {
                description: E::Invalid(problems.clone()).to_string(),
                problems: json!(problems),
            },
            E::UnknownBase { .. } | E::File { .. } => ApiError::param("scenario", e.to_string()),
        }
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
