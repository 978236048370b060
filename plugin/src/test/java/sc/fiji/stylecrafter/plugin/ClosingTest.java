package sc.fiji.stylecrafter.plugin;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.scijava.command.CommandService;
import org.scijava.event.EventService;
import org.scijava.module.Module;
import org.scijava.module.ModuleService;

import sc.fiji.stylecrafter.testing.GoldenRuns;

/**
 * Fiji quitting during a generation: the context's disposal stops the run at its next step and closes the model while
 * the process still stands, instead of leaving libtorch to be torn down under a running step.
 */
class ClosingTest {

	@AfterEach
	void close() {
		OpenImages.closeAll();
	}

	@Test
	void disposingTheContextStopsTheRunningGenerationAndFreesTheModel() throws Exception {
		GoldenContext fixture = GoldenContext.start();
		CommandsTest.StepWatcher watcher = new CommandsTest.StepWatcher();
		fixture.context.service(EventService.class).subscribe(watcher);
		OpenImages.openPng(fixture.golden.resolve("style_0.png"), "style_0.png");
		ModuleService modules = fixture.context.service(ModuleService.class);
		GoldenRuns.Run golden = GoldenRuns.videoSingle();
		Future<Module> run = modules.run(fixture.context.service(CommandService.class).getCommand(StylizeVideoCommand.class), true, "style", "style_0.png",
			"prompt", golden.prompt(), "frames", golden.frames(), "width", golden.settings().width(), "height", golden.settings().height(), "steps", 50,
			"device", "cpu");
		long until = System.currentTimeMillis() + 60_000;
		while (watcher.steps.get() < 1 && System.currentTimeMillis() < until) Thread.sleep(10);
		long t0 = System.nanoTime();
		fixture.service.dispose(); // what Fiji's quit does to the service, first of all
		double seconds = (System.nanoTime() - t0) / 1e9;
		Module m = run.get(30, TimeUnit.SECONDS);
		assertTrue(((org.scijava.Cancelable) m).isCanceled(), "the run was stopped");
		assertNull(m.getOutput("result"), "no half-made image");
		assertTrue(watcher.steps.get() < 50, "stopped early: " + watcher.steps.get() + " steps");
		assertTrue(seconds < DefaultStyleCrafterService.DISPOSE_WAIT_S, "the model was closed once the run stopped, in " + seconds + " s");
		fixture.close();
	}
}
