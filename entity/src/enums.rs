//! Closed sets of values stored as short strings.
//!
//! Stored as `VARCHAR(32)` rather than native database enums so that the same
//! migration runs on SQLite, PostgreSQL and MariaDB, and so that adding a value
//! needs no schema change. The string values are the API's enum values.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// What a profile link points to.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ProfileLinkKind {
    #[sea_orm(string_value = "LINKEDIN")]
    Linkedin,
    #[sea_orm(string_value = "GITHUB")]
    Github,
    #[sea_orm(string_value = "BLOG")]
    Blog,
    #[sea_orm(string_value = "WEBSITE")]
    Website,
    #[sea_orm(string_value = "OTHER")]
    Other,
}

/// The kind of a talk, post or other reference attached to an item.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ReferenceKind {
    #[sea_orm(string_value = "TALK")]
    Talk,
    #[sea_orm(string_value = "BLOG_POST")]
    BlogPost,
    #[sea_orm(string_value = "ARTICLE")]
    Article,
    #[sea_orm(string_value = "VIDEO")]
    Video,
    #[sea_orm(string_value = "REPOSITORY")]
    Repository,
    #[sea_orm(string_value = "OTHER")]
    Other,
}

/// How a skill is grouped.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SkillCategory {
    #[sea_orm(string_value = "LANGUAGE")]
    Language,
    #[sea_orm(string_value = "CLOUD")]
    Cloud,
    #[sea_orm(string_value = "CONTAINER")]
    Container,
    #[sea_orm(string_value = "INFRASTRUCTURE_AS_CODE")]
    InfrastructureAsCode,
    #[sea_orm(string_value = "OBSERVABILITY")]
    Observability,
    #[sea_orm(string_value = "CI_CD")]
    CiCd,
    #[sea_orm(string_value = "DATA")]
    Data,
    #[sea_orm(string_value = "TESTING")]
    Testing,
    #[sea_orm(string_value = "COLLABORATION")]
    Collaboration,
    #[sea_orm(string_value = "OTHER")]
    Other,
}

/// The contract of a role.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum EmploymentType {
    #[sea_orm(string_value = "FULL_TIME")]
    FullTime,
    #[sea_orm(string_value = "PART_TIME")]
    PartTime,
    #[sea_orm(string_value = "CONTRACT")]
    Contract,
    #[sea_orm(string_value = "INTERNSHIP")]
    Internship,
    #[sea_orm(string_value = "FREELANCE")]
    Freelance,
}

/// What kind of activity outside a role this is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ActivityKind {
    #[sea_orm(string_value = "COMMUNITY")]
    Community,
    #[sea_orm(string_value = "OPEN_SOURCE")]
    OpenSource,
    #[sea_orm(string_value = "TALK")]
    Talk,
    #[sea_orm(string_value = "PUBLICATION")]
    Publication,
    #[sea_orm(string_value = "AWARD")]
    Award,
    #[sea_orm(string_value = "COMPETITION")]
    Competition,
    #[sea_orm(string_value = "STUDY_GROUP")]
    StudyGroup,
    #[sea_orm(string_value = "OTHER")]
    Other,
}

/// Where a course of education stands.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum EducationStatus {
    #[sea_orm(string_value = "ENROLLED")]
    Enrolled,
    #[sea_orm(string_value = "GRADUATED")]
    Graduated,
    #[sea_orm(string_value = "COMPLETED")]
    Completed,
    #[sea_orm(string_value = "ON_LEAVE")]
    OnLeave,
    #[sea_orm(string_value = "WITHDRAWN")]
    Withdrawn,
}
