# tnassign build. Every tool is pinned and installed into ./bin, so a fresh
# machine needs only Go. `make help` lists the targets.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

BIN := $(CURDIR)/bin
export PATH := $(BIN):$(PATH)
export GOBIN := $(BIN)

# Pinned tool versions.
BUF_VERSION              := v1.75.0
PROTOC_GEN_GO_VERSION    := v1.36.12
PROTOC_GEN_GRPC_VERSION  := v1.6.2
GRPC_GATEWAY_VERSION     := v2.33.0
# googleapis protos (google/api/annotations.proto, http.proto) come from this
# pinned module's third_party/googleapis; they are extracted, never committed.
GOOGLEAPIS_MODULE        := github.com/grpc-ecosystem/grpc-gateway
GOOGLEAPIS_VERSION       := v1.16.0

TOOLS_STAMP := $(BIN)/.tools-$(BUF_VERSION)-$(PROTOC_GEN_GO_VERSION)-$(PROTOC_GEN_GRPC_VERSION)-$(GRPC_GATEWAY_VERSION)
THIRD_PARTY := third_party/googleapis
THIRD_PARTY_STAMP := $(THIRD_PARTY)/.stamp-$(GOOGLEAPIS_VERSION)

GO_TEST_FLAGS ?= -race -count=1
FUZZTIME ?= 30s
# Ref that `make breaking` compares the API against.
BREAKING_AGAINST ?= HEAD~1

.PHONY: help
help: ## List the targets.
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  %-16s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

.PHONY: tools
tools: $(TOOLS_STAMP) ## Install the pinned tools into ./bin.

$(TOOLS_STAMP):
	@mkdir -p $(BIN)
	go install github.com/bufbuild/buf/cmd/buf@$(BUF_VERSION)
	go install google.golang.org/protobuf/cmd/protoc-gen-go@$(PROTOC_GEN_GO_VERSION)
	go install google.golang.org/grpc/cmd/protoc-gen-go-grpc@$(PROTOC_GEN_GRPC_VERSION)
	go install github.com/grpc-ecosystem/grpc-gateway/v2/protoc-gen-grpc-gateway@$(GRPC_GATEWAY_VERSION)
	go install github.com/grpc-ecosystem/grpc-gateway/v2/protoc-gen-openapiv2@$(GRPC_GATEWAY_VERSION)
	@rm -f $(BIN)/.tools-*
	@touch $@

.PHONY: third_party
third_party: $(THIRD_PARTY_STAMP) ## Extract the googleapis protos from the pinned Go module.

$(THIRD_PARTY_STAMP):
	@rm -rf $(THIRD_PARTY) && mkdir -p $(THIRD_PARTY)/google/api
	@dir=$$(GOFLAGS=-mod=mod go mod download -json $(GOOGLEAPIS_MODULE)@$(GOOGLEAPIS_VERSION) | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$$/\1/p'); \
	  test -n "$$dir" || { echo "could not download $(GOOGLEAPIS_MODULE)@$(GOOGLEAPIS_VERSION)" >&2; exit 1; }; \
	  for f in annotations.proto http.proto; do \
	    install -m 0644 "$$dir/third_party/googleapis/google/api/$$f" $(THIRD_PARTY)/google/api/$$f; \
	  done
	@touch $@

.PHONY: generate
generate: tools third_party ## Regenerate gen/ from proto/.
	buf generate

.PHONY: check-generated
check-generated: generate ## Regenerate and fail if anything under version control changed.
	@if [ -n "$$(git status --porcelain -- gen proto)" ]; then \
	  echo "generated code is stale: run 'make generate' and commit the result" >&2; \
	  git status --porcelain -- gen proto >&2; git diff --stat -- gen >&2; exit 1; \
	fi

.PHONY: lint
lint: tools third_party ## gofmt, go vet, buf lint, buf format check.
	@out=$$(gofmt -l $$(git ls-files --cached --others --exclude-standard '*.go' | grep -v '^gen/')); \
	  if [ -n "$$out" ]; then echo "gofmt needed:" >&2; echo "$$out" >&2; exit 1; fi
	go vet ./...
	buf lint
	buf format --diff --exit-code proto

.PHONY: breaking
breaking: tools third_party ## buf breaking against the previous commit (BREAKING_AGAINST).
	@if ! git rev-parse -q --verify "$(BREAKING_AGAINST)^{commit}" >/dev/null || \
	    [ -z "$$(git ls-tree -r --name-only "$(BREAKING_AGAINST)" -- proto)" ]; then \
	  echo "breaking: $(BREAKING_AGAINST) has no API to compare against; nothing to check"; exit 0; fi; \
	tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	git archive "$(BREAKING_AGAINST)" buf.yaml proto | tar -x -C "$$tmp"; \
	mkdir -p "$$tmp/third_party" && cp -r $(THIRD_PARTY) "$$tmp/third_party/"; \
	(cd "$$tmp" && $(BIN)/buf build -o image.binpb); \
	buf breaking --against "$$tmp/image.binpb"; \
	echo "breaking: API compatible with $(BREAKING_AGAINST)"

.PHONY: test
test: ## Run every test (with the race detector).
	go test $(GO_TEST_FLAGS) ./...

.PHONY: build
build: ## Build the binaries into ./bin.
	go build -o $(BIN)/ ./cmd/...

.PHONY: clean
clean: ## Remove built binaries, tools and extracted protos.
	rm -rf $(BIN) third_party
