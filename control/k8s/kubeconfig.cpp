#include "control/k8s/kubeconfig.hpp"

#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <filesystem>
#include <stdexcept>

namespace sluice::k8s {
namespace {

YAML::Node named(const YAML::Node& list, const std::string& list_key, const std::string& name,
                 const std::string& inner) {
  if (list.IsSequence())
    for (const YAML::Node& e : list)
      if (e["name"] && e["name"].as<std::string>() == name && e[inner]) return e[inner];
  throw std::runtime_error(list_key + ": no entry named \"" + name + "\"");
}

std::string text(const YAML::Node& n, const char* key) {
  return n[key] ? n[key].as<std::string>() : std::string();
}

// kubeconfig paths are relative to the file that names them.
std::string path_near(const std::string& file, const std::string& p) {
  if (p.empty() || p.front() == '/') return p;
  return (std::filesystem::path(file).parent_path() / p).string();
}

} // namespace

std::string base64_decode(const std::string& in) {
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (const char c : in) {
    int v;
    if (c >= 'A' && c <= 'Z') v = c - 'A';
    else if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
    else if (c >= '0' && c <= '9') v = c - '0' + 52;
    else if (c == '+') v = 62;
    else if (c == '/') v = 63;
    else if (c == '=' || c == '\n' || c == '\r' || c == ' ') continue;
    else throw std::runtime_error("not base64");
    acc = (acc << 6) | uint32_t(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(char((acc >> bits) & 0xff));
    }
  }
  return out;
}

api_endpoint load_kubeconfig(const std::string& path) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::Exception& e) {
    throw std::runtime_error("kubeconfig " + path + ": " + e.what());
  }
  try {
    const std::string ctx_name = text(root, "current-context");
    if (ctx_name.empty()) throw std::runtime_error("current-context: is not set");
    const YAML::Node ctx = named(root["contexts"], "contexts", ctx_name, "context");
    const YAML::Node cluster = named(root["clusters"], "clusters", text(ctx, "cluster"), "cluster");
    api_endpoint ep;
    ep.server = text(cluster, "server");
    if (ep.server.empty()) throw std::runtime_error("clusters[].cluster.server: is not set");
    while (!ep.server.empty() && ep.server.back() == '/') ep.server.pop_back();
    ep.ca_file = path_near(path, text(cluster, "certificate-authority"));
    if (cluster["certificate-authority-data"])
      ep.ca_pem = base64_decode(text(cluster, "certificate-authority-data"));
    ep.insecure = cluster["insecure-skip-tls-verify"] &&
                  cluster["insecure-skip-tls-verify"].as<bool>();
    if (ctx["user"]) {
      const YAML::Node user = named(root["users"], "users", text(ctx, "user"), "user");
      ep.token = text(user, "token");
      ep.token_file = path_near(path, text(user, "tokenFile"));
      ep.cert_file = path_near(path, text(user, "client-certificate"));
      ep.key_file = path_near(path, text(user, "client-key"));
      if (user["client-certificate-data"])
        ep.cert_pem = base64_decode(text(user, "client-certificate-data"));
      if (user["client-key-data"]) ep.key_pem = base64_decode(text(user, "client-key-data"));
      if (user["exec"] || user["auth-provider"])
        throw std::runtime_error("users[].user: exec and auth-provider plugins are not supported "
                                 "(use a token, tokenFile or client certificate)");
    }
    return ep;
  } catch (const YAML::Exception& e) {
    throw std::runtime_error("kubeconfig " + path + ": " + e.what());
  } catch (const std::runtime_error& e) {
    throw std::runtime_error("kubeconfig " + path + ": " + e.what());
  }
}

api_endpoint in_cluster_endpoint(const std::string& dir) {
  const char* host = std::getenv("KUBERNETES_SERVICE_HOST");
  const char* port = std::getenv("KUBERNETES_SERVICE_PORT");
  if (host == nullptr || port == nullptr)
    throw std::runtime_error("in_cluster: KUBERNETES_SERVICE_HOST/PORT are not set (not in a pod?)");
  api_endpoint ep;
  const std::string h = host;
  ep.server = "https://" + (h.find(':') != std::string::npos ? "[" + h + "]" : h) + ":" + port;
  ep.token_file = dir + "/token";
  ep.ca_file = dir + "/ca.crt";
  return ep;
}

} // namespace sluice::k8s
