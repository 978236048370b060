package sc.fiji.stylecrafter.plugin;

import ij.macro.Interpreter;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * What the macro tests share: a golden context whose commands ImageJ 1 macros can call ({@link LegacyBridge}), batch
 * mode (a headless Fiji) for each test, and no image left open after it.
 */
abstract class MacroFixture {

	static GoldenContext fixture;
	static StyleCrafterService service;
	static Path golden;

	@BeforeAll
	static void start() throws Exception {
		fixture = GoldenContext.start();
		service = fixture.service;
		golden = fixture.golden;
		Map<String, Class<? extends org.scijava.command.Command>> commands = new LinkedHashMap<>();
		commands.put("Stylize Video from Reference", StylizeVideoCommand.class);
		commands.put("Style-Guided Image", StyleGuidedImageCommand.class);
		commands.put("Set Model Folder...", SetModelFolderCommand.class);
		commands.put("Set Up Models...", SetUpModelsCommand.class);
		commands.put("Export Video (StyleCrafter)...", ExportVideoCommand.class);
		commands.put("Install GPU Runtime...", InstallGpuRuntimeCommand.class);
		commands.put("Batch from List (StyleCrafter)...", BatchFromListCommand.class);
		commands.put("Score Results (StyleCrafter)...", ScoreResultsCommand.class);
		LegacyBridge.install(fixture.context, commands);
	}

	@AfterAll
	static void stop() throws InterruptedException {
		if (fixture != null) {
			fixture.close();
			fixture = null;
			LegacyBridge.context = null;
		}
	}

	@BeforeEach
	void headless() {
		Interpreter.batchMode = true;
		LegacyBridge.dialogs.clear();
	}

	@AfterEach
	void close() {
		LegacyBridge.dryRun = null;
		OpenImages.closeAll();
	}
}
