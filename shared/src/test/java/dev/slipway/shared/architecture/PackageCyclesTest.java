package dev.slipway.shared.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * No package of the core depends, directly or through others, on a package that depends on it:
 * each can be understood, tested and moved without dragging the rest along. Each package is its
 * own slice ({@code (**)} keeps {@code deploy} and {@code deploy.preview} apart), so a cycle
 * between a package and its sub-package fails too. Javadoc mentions are not dependencies here
 * (ArchUnit reads bytecode); keep them out of the way anyway.
 */
class PackageCyclesTest {
    private static final String CORE = "dev.slipway.shared";
    private static final JavaClasses MAIN_CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS) // the core is target/classes; scanning jars only costs time
            .importPackages(CORE);

    @Test
    void theCorePackagesFormNoCycle() {
        slices().matching(CORE + ".(**)")
                .should().beFreeOfCycles()
                .check(MAIN_CLASSES);
    }
}
