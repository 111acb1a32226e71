# Turns docs/openapi.yaml into a C++ source so the binary serves the document it was built with.
file(READ ${INPUT} content)
file(WRITE ${OUTPUT} "namespace hilo::http {\nextern const char* const kOpenApiYaml;\nconst char* const kOpenApiYaml = R\"hilo_yaml(${content})hilo_yaml\";\n}\n")
