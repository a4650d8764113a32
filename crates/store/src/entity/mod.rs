//! sea-orm entities, one per stored Dataverse table (column names as Dataverse's).

pub mod customapi;
pub mod customapirequestparameter;
pub mod customapiresponseproperty;
pub mod localizedlabel;
pub mod pluginassembly;
pub mod pluginpackage;
pub mod plugintype;
pub mod publisher;
pub mod sdkmessage;
pub mod sdkmessageprocessingstep;
pub mod solution;
