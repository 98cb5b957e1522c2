# The two quick-start commands (each does its own set-up on a fresh machine):
#   make demo   — local stack + simulator + service, sample events, a summary
#   make test   — static checks, the local stack, unit and integration tests
.PHONY: demo test stack-up stack-down

demo:
	bash scripts/demo.sh

test:
	bash scripts/test.sh

stack-up:
	bash deploy/local/stack.sh up

stack-down:
	bash deploy/local/stack.sh down
