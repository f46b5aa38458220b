"""Written by scripts/generate: the effective contract this client was generated from."""

CONTRACT_SHA256 = "2b5547636f9dd92ebec46023b17277618b67443648753eb09cce18b128ca4e35"
