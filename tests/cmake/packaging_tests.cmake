# Packaging tests: install the project into a scratch prefix, then configure, build and
# run small consumer projects through find_package and through add_subdirectory.
set(_pkg_dir ${CMAKE_BINARY_DIR}/packaging)
set(_prefix ${_pkg_dir}/prefix)
set(_rss ${PROJECT_SOURCE_DIR}/data/instruments/iom-rss.json)
# The installed static libraries (reinscore::app, reinscore::io) of a sanitizer build carry
# its instrumentation: the consumer links the sanitizer runtimes too.
set(_consumer_flags)
if(REINSCORE_SANITIZE OR REINSCORE_FUZZ)
  list(APPEND _consumer_flags "-DCMAKE_EXE_LINKER_FLAGS=-fsanitize=address,undefined")
endif()

add_test(NAME packaging.install
         COMMAND ${CMAKE_COMMAND} --install ${CMAKE_BINARY_DIR} --prefix ${_prefix})
set_tests_properties(packaging.install PROPERTIES FIXTURES_SETUP reinscore_installed)

add_test(NAME packaging.find_package.configure
         COMMAND ${CMAKE_COMMAND} -S ${CMAKE_CURRENT_SOURCE_DIR}/cmake/consumer
                 -B ${_pkg_dir}/find_package -DCMAKE_PREFIX_PATH=${_prefix}
                 -DCMAKE_CXX_COMPILER=${CMAKE_CXX_COMPILER} -DCMAKE_BUILD_TYPE=Release
                 ${_consumer_flags})
set_tests_properties(packaging.find_package.configure PROPERTIES
                     FIXTURES_REQUIRED reinscore_installed FIXTURES_SETUP fp_configured)
add_test(NAME packaging.find_package.build
         COMMAND ${CMAKE_COMMAND} --build ${_pkg_dir}/find_package)
set_tests_properties(packaging.find_package.build PROPERTIES
                     FIXTURES_REQUIRED fp_configured FIXTURES_SETUP fp_built)
# Runs against the instrument installed with the package, not the source tree's.
add_test(NAME packaging.find_package.run
         COMMAND ${_pkg_dir}/find_package/consumer ${_prefix}/share/reinscore/instruments/iom-rss.json)
set_tests_properties(packaging.find_package.run PROPERTIES FIXTURES_REQUIRED fp_built
                     PASS_REGULAR_EXPRESSION "composite 1 status complete.*composite nan status insufficient.*iom-rss@")

add_test(NAME packaging.find_package.app COMMAND ${_pkg_dir}/find_package/app_consumer)
set_tests_properties(packaging.find_package.app PROPERTIES FIXTURES_REQUIRED fp_built
                     PASS_REGULAR_EXPRESSION "round,n,mean_composite.1,2,0.5.2,1,0.5.10,1,1")

add_test(NAME packaging.pkg_config
         COMMAND ${CMAKE_COMMAND} -E env PKG_CONFIG_PATH=${_prefix}/share/pkgconfig
                 pkg-config --cflags reinscore)
set_tests_properties(packaging.pkg_config PROPERTIES FIXTURES_REQUIRED reinscore_installed
                     PASS_REGULAR_EXPRESSION "-I[^ ]*/prefix/[^ ]*include")

add_test(NAME packaging.add_subdirectory.configure
         COMMAND ${CMAKE_COMMAND} -S ${CMAKE_CURRENT_SOURCE_DIR}/cmake/subdir_consumer
                 -B ${_pkg_dir}/subdir -DREINSCORE_SOURCE_DIR=${PROJECT_SOURCE_DIR}
                 -DCMAKE_CXX_COMPILER=${CMAKE_CXX_COMPILER} -DCMAKE_BUILD_TYPE=Release)
set_tests_properties(packaging.add_subdirectory.configure PROPERTIES FIXTURES_SETUP sd_configured)
add_test(NAME packaging.add_subdirectory.build COMMAND ${CMAKE_COMMAND} --build ${_pkg_dir}/subdir)
set_tests_properties(packaging.add_subdirectory.build PROPERTIES
                     FIXTURES_REQUIRED sd_configured FIXTURES_SETUP sd_built)
add_test(NAME packaging.add_subdirectory.run COMMAND ${_pkg_dir}/subdir/consumer ${_rss})
set_tests_properties(packaging.add_subdirectory.run PROPERTIES FIXTURES_REQUIRED sd_built
                     PASS_REGULAR_EXPRESSION "composite 1 status complete")
