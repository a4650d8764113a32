//! sea-orm entities, one per stored Dataverse table (column names as Dataverse's).

pub mod accesstoken;
pub mod asyncoperation;
pub mod backgroundoperation;
pub mod businessunit;
pub mod changestamp;
pub mod customapi;
pub mod customapirequestparameter;
pub mod customapiresponseproperty;
pub mod entitydefinition;
pub mod localizedlabel;
pub mod organization;
pub mod outbounddelivery;
pub mod pluginassembly;
pub mod pluginpackage;
pub mod plugintracelog;
pub mod plugintype;
pub mod publisher;
pub mod role;
pub mod roleprivilege;
pub mod sdkmessage;
pub mod sdkmessageprocessingstep;
pub mod sdkmessageprocessingstepimage;
pub mod sdkmessageprocessingstepsecureconfig;
pub mod solution;
pub mod systemuser;
pub mod systemuserrole;
