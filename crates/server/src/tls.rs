//! HTTPS: PEM certificate and key loaded into rustls (ring provider), and the demo's development certificate.

use std::fmt::Display;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use rustls::client::danger::ServerCertVerifier;
use rustls::pki_types::pem::{self, PemObject};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use switchboard_model::{Message, MessageId};

/// HTTPS settings: a rustls server configuration using the ring crypto provider.
#[derive(Debug, Clone)]
pub struct TlsConfig {
    config: Arc<rustls::ServerConfig>,
}

/// A certificate or key file that cannot be used; the message names the file.
#[derive(Debug, Clone)]
pub struct TlsError {
    /// The file (or, for the development certificate, the folder) at fault.
    pub path: PathBuf,
    /// What is wrong, with the path as argument `path`.
    pub message: Message,
}

impl TlsError {
    fn new(id: MessageId, path: &Path) -> Self {
        Self {
            path: path.to_owned(),
            message: Message::new(id).arg("path", path.display()),
        }
    }

    fn detail(mut self, detail: impl Display) -> Self {
        self.message = self.message.arg("detail", detail);
        self
    }
}

/// The only crypto provider Switchboard uses (no aws-lc-rs, so no C toolchain is needed).
fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

impl TlsConfig {
    /// Reads a PEM certificate chain (leaf first) and the PEM private key of its leaf
    /// (PKCS#8, PKCS#1 or SEC1). Every failure names the file at fault.
    pub fn from_pem_files(cert: &Path, key: &Path) -> Result<Self, TlsError> {
        let chain = read_certificates(cert)?;
        let key_der = read_key(key)?;
        let mut config = rustls::ServerConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .map_err(|e| TlsError::new(MessageId::TlsRejected, cert).detail(e))?
            .with_no_client_auth()
            .with_single_cert(chain, key_der)
            .map_err(|e| {
                // A certificate that does not parse is the certificate's fault; anything else
                // (a key of an unsupported kind, a key of another certificate) the key's.
                let at_fault = match e {
                    rustls::Error::InvalidCertificate(_) => cert,
                    _ => key,
                };
                TlsError::new(MessageId::TlsRejected, at_fault).detail(e)
            })?;
        // What the plain port speaks too: HTTP/2 and HTTP/1.1 (the accept loop serves both).
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        Ok(Self {
            config: Arc::new(config),
        })
    }

    /// The rustls server configuration.
    pub fn rustls(&self) -> Arc<rustls::ServerConfig> {
        self.config.clone()
    }
}

fn read(path: &Path) -> Result<Vec<u8>, TlsError> {
    std::fs::read(path).map_err(|e| TlsError::new(MessageId::TlsUnreadable, path).detail(e))
}

fn read_certificates(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let pem = read(path)?;
    let chain = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| TlsError::new(MessageId::TlsRejected, path).detail(e))?;
    if chain.is_empty() {
        return Err(TlsError::new(MessageId::TlsNoCertificate, path));
    }
    Ok(chain)
}

fn read_key(path: &Path) -> Result<PrivateKeyDer<'static>, TlsError> {
    let pem = read(path)?;
    PrivateKeyDer::from_pem_slice(&pem).map_err(|e| match e {
        pem::Error::NoItemsFound => TlsError::new(MessageId::TlsNoPrivateKey, path),
        e => TlsError::new(MessageId::TlsRejected, path).detail(e),
    })
}

/// The names the development certificate is valid for.
pub const DEV_CERTIFICATE_NAMES: [&str; 2] = ["127.0.0.1", "localhost"];

/// How long a new development certificate is valid (within the 398 days clients accept).
const DEV_CERTIFICATE_DAYS: i64 = 397;

/// The development certificate's files.
#[derive(Debug, Clone)]
pub struct DevCertificate {
    /// The self-signed certificate (PEM): the file clients are told to trust.
    pub cert: PathBuf,
    /// Its private key (PEM, PKCS#8; mode 0600 on unix).
    pub key: PathBuf,
    /// Whether this call generated the pair (false: an existing pair was reused).
    pub created: bool,
}

/// The self-signed development certificate in `dir` (`dev-cert.pem`, `dev-key.pem`):
/// reused when the pair loads and stays valid for [`DEV_CERTIFICATE_NAMES`] for at least
/// another day, generated (replacing a stale pair) otherwise.
pub fn dev_certificate(dir: &Path) -> Result<DevCertificate, TlsError> {
    let cert = dir.join("dev-cert.pem");
    let key = dir.join("dev-key.pem");
    if reusable(&cert, &key) {
        return Ok(DevCertificate {
            cert,
            key,
            created: false,
        });
    }
    let fail = |e: &dyn Display| TlsError::new(MessageId::TlsDevCertificateFailed, dir).detail(e);
    let (cert_pem, key_pem) = generate().map_err(|e| fail(&e))?;
    std::fs::create_dir_all(dir).map_err(|e| fail(&e))?;
    write_private(&key, key_pem.as_bytes()).map_err(|e| fail(&e))?;
    std::fs::write(&cert, cert_pem).map_err(|e| fail(&e))?;
    Ok(DevCertificate {
        cert,
        key,
        created: true,
    })
}

/// A new self-signed certificate for [`DEV_CERTIFICATE_NAMES`] and its key, as PEM.
fn generate() -> Result<(String, String), rcgen::Error> {
    let key = rcgen::KeyPair::generate()?;
    let names: Vec<String> = DEV_CERTIFICATE_NAMES.map(String::from).to_vec();
    let mut params = rcgen::CertificateParams::new(names)?;
    params.distinguished_name = rcgen::DistinguishedName::new();
    params.distinguished_name.push(
        rcgen::DnType::CommonName,
        "Switchboard development certificate",
    );
    let now = time::OffsetDateTime::now_utc();
    params.not_before = now - time::Duration::days(1);
    params.not_after = now + time::Duration::days(DEV_CERTIFICATE_DAYS);
    params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
    params.use_authority_key_identifier_extension = true;
    let cert = params.self_signed(&key)?;
    Ok((cert.pem(), key.serialize_pem()))
}

/// Whether the pair loads and a client trusting the certificate accepts it for every
/// development name, a day from now.
fn reusable(cert: &Path, key: &Path) -> bool {
    if TlsConfig::from_pem_files(cert, key).is_err() {
        return false;
    }
    let Ok(chain) = read_certificates(cert) else {
        return false;
    };
    let leaf = &chain[0];
    let mut roots = rustls::RootCertStore::empty();
    if roots.add(leaf.clone()).is_err() {
        return false;
    }
    let Ok(verifier) =
        rustls::client::WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider())
            .build()
    else {
        return false;
    };
    let tomorrow =
        UnixTime::since_unix_epoch(Duration::from_secs(UnixTime::now().as_secs() + 86_400));
    DEV_CERTIFICATE_NAMES.iter().all(|name| {
        ServerName::try_from(*name).is_ok_and(|name| {
            verifier
                .verify_server_cert(leaf, &[], &name, &[], tomorrow)
                .is_ok()
        })
    })
}

/// Writes a file only its owner may read (mode 0600 on unix), replacing any old one.
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)?.write_all(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_development_certificate_is_created_then_reused() {
        let dir = tempfile_dir();
        let first = dev_certificate(&dir).unwrap();
        assert!(first.created);
        let pem = std::fs::read(&first.cert).unwrap();
        assert!(TlsConfig::from_pem_files(&first.cert, &first.key).is_ok());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&first.key).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let second = dev_certificate(&dir).unwrap();
        assert!(!second.created);
        assert_eq!(std::fs::read(&second.cert).unwrap(), pem);
        // A broken pair is replaced.
        std::fs::write(&first.key, "not a key").unwrap();
        assert!(dev_certificate(&dir).unwrap().created);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn failures_name_the_file() {
        let dir = tempfile_dir();
        let dev = dev_certificate(&dir).unwrap();
        let missing = dir.join("missing.pem");
        let e = TlsConfig::from_pem_files(&missing, &dev.key).unwrap_err();
        assert_eq!((e.path, e.message.id), (missing, MessageId::TlsUnreadable));
        let e = TlsConfig::from_pem_files(&dev.key, &dev.key).unwrap_err();
        assert_eq!(
            (e.path, e.message.id),
            (dev.key.clone(), MessageId::TlsNoCertificate)
        );
        let e = TlsConfig::from_pem_files(&dev.cert, &dev.cert).unwrap_err();
        assert_eq!(
            (e.path, e.message.id),
            (dev.cert.clone(), MessageId::TlsNoPrivateKey)
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    fn tempfile_dir() -> PathBuf {
        let dir = std::env::temp_dir().join(format!("switchboard-tls-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }
}
