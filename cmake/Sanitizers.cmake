if(ONECARD_FUZZ)
  # Coverage for libFuzzer in every library; the fuzz targets link the fuzzer's main.
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()
if(ONECARD_SANITIZERS)
  set(_san -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  add_compile_options(${_san})
  add_link_options(${_san})
endif()
