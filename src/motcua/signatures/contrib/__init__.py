"""The signer plugins (``signers.signer_plugins``): sandbox, pkcs12, pkcs11, remote."""
