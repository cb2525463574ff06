#pragma once
// Where the API server is and how to prove who we are: from a kubeconfig file (its current
// context) or from inside a pod (service-account token and CA, KUBERNETES_SERVICE_HOST/PORT).

#include <string>

namespace sluice::k8s {

struct api_endpoint {
  std::string server;        // "https://host:port" (http:// allowed, for tests and proxies)
  std::string ca_file;       // PEM bundle path; or
  std::string ca_pem;        // PEM bundle (certificate-authority-data, decoded)
  bool insecure = false;     // insecure-skip-tls-verify
  std::string token;         // bearer token given inline
  std::string token_file;    // re-read periodically and after a 401 (projected tokens rotate)
  std::string cert_file, key_file; // client certificate; or
  std::string cert_pem, key_pem;   // client-certificate-data / client-key-data, decoded
};

// Throws std::runtime_error naming the kubeconfig key that is missing or wrong.
api_endpoint load_kubeconfig(const std::string& path);

// The pod's own credentials. Throws std::runtime_error when not running in a pod.
api_endpoint in_cluster_endpoint(
    const std::string& account_dir = "/var/run/secrets/kubernetes.io/serviceaccount");

// Standard base64 (kubeconfig *-data fields). Throws std::runtime_error on a bad character.
std::string base64_decode(const std::string& text);

} // namespace sluice::k8s
