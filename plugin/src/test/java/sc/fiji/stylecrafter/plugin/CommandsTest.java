package sc.fiji.stylecrafter.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.ImagePlus;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scijava.Cancelable;
import org.scijava.Context;
import org.scijava.app.event.StatusEvent;
import org.scijava.command.Command;
import org.scijava.command.CommandService;
import org.scijava.event.EventHandler;
import org.scijava.event.EventService;
import org.scijava.module.Module;
import org.scijava.module.ModuleService;

import sc.fiji.stylecrafter.io.Npy;
import sc.fiji.stylecrafter.testing.GoldenRuns;

/**
 * Both commands through a real SciJava context and CommandService on the golden model folder: outputs, metadata,
 * parity with the official frames of the golden runs, cancel, and the error paths.
 */
class CommandsTest {

	static GoldenContext fixture;
	static Path golden;
	static Context context;
	static CommandService commands;
	static StyleCrafterService service;

	@BeforeAll
	static void start() throws InterruptedException {
		fixture = GoldenContext.start();
		golden = fixture.golden;
		context = fixture.context;
		commands = context.service(CommandService.class);
		service = fixture.service;
	}

	@AfterAll
	static void stop() throws InterruptedException {
		if (fixture != null) fixture.close();
	}

	@AfterEach
	void closeImages() {
		OpenImages.closeAll();
	}

	/**
	 * Runs a command with preprocessing as Fiji does. (Through the ModuleService: {@code CommandService.run} returns
	 * {@code null} for commands that are modules themselves, as dynamic commands are.)
	 */
	static Ran run(Class<? extends Command> command, boolean process, Object... inputs) throws Exception {
		return new Ran(context.service(ModuleService.class).run(commands.getCommand(command), process, inputs).get());
	}

	static Ran run(Class<? extends Command> command, boolean process, Map<String, Object> inputs) throws Exception {
		return new Ran(context.service(ModuleService.class).run(commands.getCommand(command), process, inputs).get());
	}

	/** A module that ran, with what a test asks of it. */
	record Ran(Module module) {

		boolean isCanceled() {
			return ((Cancelable) module).isCanceled();
		}

		String getCancelReason() {
			return ((Cancelable) module).getCancelReason();
		}

		Object getOutput(String name) {
			return module.getOutput(name);
		}
	}

	/** The frames of a golden run, sampling or restyle (of the golden folder the tests are given), to within one 8-bit level. */
	static void assertFramesEqualGolden(ImagePlus imp, String run) throws IOException {
		Npy.Array want = Npy.read(GoldenContext.folder().resolve(run + "_frames_uint8.npy"));
		int t = (int) want.shape()[1], h = (int) want.shape()[2], w = (int) want.shape()[3];
		assertEquals(ImagePlus.COLOR_RGB, imp.getType());
		assertEquals(t, imp.getStackSize());
		assertEquals(w, imp.getWidth());
		assertEquals(h, imp.getHeight());
		int off = 0;
		for (int f = 0; f < t; f++) {
			int[] px = (int[]) imp.getStack().getProcessor(f + 1).getPixels();
			for (int i = 0; i < w * h; i++) {
				for (int c = 0; c < 3; c++) {
					int got = (px[i] >> (16 - 8 * c)) & 0xFF, exp = (int) want.longs()[(c * t + f) * w * h + i];
					assertTrue(Math.abs(got - exp) <= 1);
					if (got != exp) off++;
				}
			}
		}
		assertTrue(off <= want.numel() / 1000, off + " values off by one");
	}

	@Test
	void videoCommandMakesTheOfficialFramesFromACompositeImage() throws Exception {
		OpenImages.openComposite(golden.resolve("style_0.png"), "style_0 composite");
		GoldenRuns.Run golden = GoldenRuns.videoSingle();
		Map<String, Object> in = GoldenSettings.inputs(golden);
		in.put("style", "style_0 composite");
		in.put("device", "cpu");
		Ran m = run(StylizeVideoCommand.class, true, in);
		assertTrue(!m.isCanceled(), m.getCancelReason());
		ImagePlus imp = (ImagePlus) m.getOutput("result");
		assertNotNull(imp);
		assertFramesEqualGolden(imp, "video_single");
		assertEquals(golden.frames(), imp.getNFrames());
		assertEquals(0.125, imp.getCalibration().frameInterval, 1e-9);
		assertEquals("StyleCrafter - " + golden.prompt(), imp.getTitle());
		String info = (String) imp.getProperty("Info");
		assertTrue(info.contains("\"seed\": " + golden.seed()) && info.contains("\"text_guidance\": " + golden.settings().textGuidance())
			&& info.contains("\"frames\": " + golden.frames()), info);
		assertEquals("" + golden.seed(), imp.getProp("stylecrafter.seed"));
	}

	@Test
	void imageCommandMakesTheOfficialImageFromAnRgbImage() throws Exception {
		OpenImages.openPng(golden.resolve("style_1.png"), "style_1.png");
		Map<String, Object> in = GoldenSettings.inputs(GoldenRuns.imageSingle());
		in.put("style", "style_1.png");
		in.put("device", "cpu");
		Ran m = run(StyleGuidedImageCommand.class, true, in);
		assertTrue(!m.isCanceled(), m.getCancelReason());
		ImagePlus imp = (ImagePlus) m.getOutput("result");
		assertFramesEqualGolden(imp, "image_single");
		assertEquals(1, imp.getNFrames());
		assertTrue(((String) imp.getProperty("Info")).contains("\"mode\": \"image\""));
	}

	/**
	 * Runtime Status... with check: the runtime lines and the self-test's table of kernel routes at the model's shapes,
	 * as the command line prints them, as the command's output.
	 */
	@Test
	void runtimeStatusShowsTheKernelRoutesCheckedOnThisMachine() throws Exception {
		Ran m = run(RuntimeStatusCommand.class, true, "check", true, "device", "cpu", "models", golden.toFile());
		assertTrue(!m.isCanceled(), m.getCancelReason());
		String report = (String) m.getOutput("report");
		System.out.println(report);
		assertTrue(report.contains("host: "), report);
		assertTrue(report.lines().anyMatch(l -> l.startsWith("fused-attention ")), report);
		assertTrue(report.contains("shapes checked in"), report);
	}

	/** precision=bfloat16 (CPU): the image is near the official one, not equal to it, and its record says bfloat16. */
	@Test
	void bfloat16PrecisionRunsOnTheCpu() throws Exception {
		OpenImages.openPng(golden.resolve("style_1.png"), "style_1 bf16.png");
		Map<String, Object> in = GoldenSettings.inputs(GoldenRuns.imageSingle());
		in.put("style", "style_1 bf16.png");
		in.put("device", "cpu");
		in.put("precision", "bfloat16");
		Ran m = run(StyleGuidedImageCommand.class, true, in);
		assertTrue(!m.isCanceled(), m.getCancelReason());
		ImagePlus imp = (ImagePlus) m.getOutput("result");
		assertTrue(((String) imp.getProperty("Info")).contains("\"precision\": \"bfloat16\""), (String) imp.getProperty("Info"));
		Npy.Array want = Npy.read(golden.resolve("image_single_frames_uint8.npy"));
		int[] px = (int[]) imp.getProcessor().getPixels();
		double sum = 0;
		for (int i = 0; i < px.length; i++) {
			for (int c = 0; c < 3; c++) sum += Math.abs(((px[i] >> (16 - 8 * c)) & 0xFF) - want.longs()[c * px.length + i]);
		}
		double mean = sum / (3.0 * px.length);
		System.out.printf("bfloat16 image: mean absolute difference to the official float32 image %.2f levels%n", mean);
		assertTrue(mean > 0 && mean < 8, "mean difference " + mean + " levels");
	}

	@Test
	void onlyStyleAndPromptAreNeeded() throws Exception {
		// every other input has a default; here the defaults are made small through the same keys a macro would use
		OpenImages.openPng(golden.resolve("style_2.png"), "style_2.png");
		Ran m = run(StylizeVideoCommand.class, true, "style", "style_2.png", "prompt", GoldenSettings.prompt(), "frames", 2,
			"width", GoldenSettings.width(), "height", GoldenSettings.height(), "steps", 2, "seed", -1);
		assertTrue(!m.isCanceled(), m.getCancelReason());
		ImagePlus imp = (ImagePlus) m.getOutput("result");
		assertEquals(2, imp.getStackSize());
		long seed = Long.parseLong(imp.getProp("stylecrafter.seed"));
		assertTrue(seed >= 0, "a random seed is drawn and recorded");
	}

	public static final class StepWatcher {

		final AtomicInteger steps = new AtomicInteger();

		@EventHandler
		public void onStatus(StatusEvent e) {
			String m = e.getStatusMessage();
			if (m != null && m.startsWith("StyleCrafter: step ")) steps.incrementAndGet();
		}
	}

	@Test
	void cancelStopsWithinAStepAndKeepsTheModel() throws Exception {
		StepWatcher watcher = new StepWatcher();
		context.service(EventService.class).subscribe(watcher);
		ModuleService modules = context.service(ModuleService.class);
		Module m = modules.createModule(commands.getCommand(StylizeVideoCommand.class));
		OpenImages.openPng(golden.resolve("style_0.png"), "style_0.png");
		m.setInput("style", "style_0.png");
		GoldenRuns.Run golden = GoldenRuns.videoSingle();
		m.setInput("prompt", golden.prompt());
		m.setInput("frames", golden.frames());
		m.setInput("width", golden.settings().width());
		m.setInput("height", golden.settings().height());
		m.setInput("steps", 50);
		m.setInput("device", "cpu");
		Future<?> f = modules.run(m, true);
		long until = System.currentTimeMillis() + 60_000;
		while (watcher.steps.get() < 1 && System.currentTimeMillis() < until) Thread.sleep(20);
		((Cancelable) m.getDelegateObject()).cancel("user pressed cancel");
		f.get();
		assertTrue(((Cancelable) m).isCanceled());
		assertNull(m.getOutput("result"), "no half-made image");
		assertTrue(watcher.steps.get() < 50, "stopped early: " + watcher.steps.get() + " steps");
		Ran again = run(StyleGuidedImageCommand.class, true, "style", "style_0.png", "prompt", GoldenSettings.prompt(),
			"width", GoldenSettings.width(), "height", GoldenSettings.height(), "steps", 2);
		assertTrue(!again.isCanceled(), again.getCancelReason());
	}

	@Test
	void unloadingWaitsForTheRunningGenerationInsteadOfClosingTheModelUnderIt() throws Exception {
		StepWatcher watcher = new StepWatcher();
		context.service(EventService.class).subscribe(watcher);
		OpenImages.openPng(golden.resolve("style_0.png"), "style_0.png");
		ModuleService modules = context.service(ModuleService.class);
		Future<Module> run = modules.run(commands.getCommand(StylizeVideoCommand.class), true, "style", "style_0.png", "prompt", GoldenSettings.prompt(),
			"frames", GoldenRuns.videoSingle().frames(), "width", GoldenSettings.width(), "height", GoldenSettings.height(), "steps", 25, "device", "cpu");
		long until = System.currentTimeMillis() + 60_000;
		while (watcher.steps.get() < 1 && System.currentTimeMillis() < until) Thread.sleep(10);
		long[] unloadedAt = new long[1];
		Thread unloader = new Thread(() -> {
			try {
				service.unload(); // what Set Model Folder... or another precision does
				unloadedAt[0] = System.nanoTime();
			}
			catch (InterruptedException e) {
				Thread.currentThread().interrupt();
			}
		});
		unloader.start();
		Thread.sleep(300);
		assertTrue(unloader.isAlive(), "unload must wait for the running generation");
		Ran done = new Ran(run.get());
		long finishedAt = System.nanoTime();
		unloader.join(60_000);
		assertTrue(!done.isCanceled(), done.getCancelReason());
		assertNotNull(done.getOutput("result"));
		assertTrue(unloadedAt[0] != 0 && unloadedAt[0] <= finishedAt + 5_000_000_000L, "unload ran after the generation");
	}

	@Test
	void errorsAUserUnderstands(@TempDir Path tmp) throws Exception {
		OpenImages.openPng(golden.resolve("style_0.png"), "style.png");
		Ran empty = run(StylizeVideoCommand.class, true, "style", "style.png", "prompt", " ", "frames", 2, "width", GoldenSettings.width(),
			"height", GoldenSettings.height(), "steps", 2);
		assertTrue(empty.isCanceled() && empty.getCancelReason().contains("prompt is empty"), empty.getCancelReason());
		Ran badSize = run(StylizeVideoCommand.class, true, "style", "style.png", "prompt", "x", "width", 100);
		assertTrue(badSize.isCanceled() && badSize.getCancelReason().contains("width 100"), badSize.getCancelReason());
		int multiple = GoldenSettings.sizeMultiple();
		Ran notLatent = run(StylizeVideoCommand.class, true, "style", "style.png", "prompt", "x", "width", multiple + Math.max(8, multiple / 2));
		assertTrue(notLatent.isCanceled() && notLatent.getCancelReason().contains("multiples of " + multiple), notLatent.getCancelReason());
		Ran gpu = run(StylizeVideoCommand.class, true, "style", "style.png", "prompt", "x", "frames", 2, "width", GoldenSettings.width(),
			"height", GoldenSettings.height(), "steps", 2, "device", "gpu");
		assertTrue(gpu.isCanceled() && gpu.getCancelReason().contains("GPU") && gpu.getCancelReason().contains("cpu"), gpu.getCancelReason());
		Ran missing = run(StylizeVideoCommand.class, true, "style", "nothere.png", "prompt", "x");
		assertTrue(missing.isCanceled() && missing.getCancelReason().contains("no open image titled 'nothere.png'")
			&& missing.getCancelReason().contains("style.png"), missing.getCancelReason());
		ImagePlus complex = OpenImages.open(ij.IJ.createImage("twenty", "8-bit black", 8, 8, 20));
		Ran tooMany = run(StylizeVideoCommand.class, true, "style", complex.getTitle(), "prompt", "x");
		assertTrue(tooMany.isCanceled() && tooMany.getCancelReason().contains("20 style references"), tooMany.getCancelReason());
		Path folder = service.modelFolder();
		try {
			service.setModelFolder(null);
			Ran none = run(StylizeVideoCommand.class, true, "style", "style.png", "prompt", "x");
			assertTrue(none.isCanceled() && none.getCancelReason().contains("Set Model Folder"), none.getCancelReason());
			Files.copy(golden.resolve("model.ckpt"), tmp.resolve("model.ckpt"));
			Ran check = run(SetModelFolderCommand.class, true, "folder", tmp.toFile());
			assertTrue(check.isCanceled() && check.getCancelReason().contains("missing adapter_v1.pth"), check.getCancelReason());
			assertNull(service.modelFolder(), "a bad folder is not remembered");
			Ran ok = run(SetModelFolderCommand.class, true, "folder", golden.toFile());
			assertTrue(!ok.isCanceled(), ok.getCancelReason());
			assertEquals(golden.toAbsolutePath(), service.modelFolder());
		}
		finally {
			service.setModelFolder(folder);
		}
	}

	@Test
	void theVideoCommandAlsoSavesAVideoAndExportVideoSavesAnyStack(@TempDir Path tmp) throws Exception {
		OpenImages.openPng(golden.resolve("style_0.png"), "style_0.png");
		Path mp4 = tmp.resolve("fox clip.mp4");
		Ran m = run(StylizeVideoCommand.class, true, "style", "style_0.png", "prompt", GoldenSettings.prompt(), "frames", 2,
			"width", GoldenSettings.width(), "height", GoldenSettings.height(), "steps", 2, "save", mp4.toFile(), "fps", 12);
		assertTrue(!m.isCanceled(), m.getCancelReason());
		assertEquals(2, sc.fiji.stylecrafter.video.VideoReader.all(mp4).size(), "FFmpeg decodes what was saved");
		assertTrue(Files.readString(tmp.resolve("fox clip.json")).contains("\"fps\": 12"));
		Ran badSave = run(StylizeVideoCommand.class, true, "style", "style_0.png", "prompt", GoldenSettings.prompt(), "save",
			tmp.resolve("x.avi").toFile());
		assertTrue(badSave.isCanceled() && badSave.getCancelReason().contains(".mp4, .webm or .gif"), badSave.getCancelReason());

		// any stack: 8-bit gray, odd size, shown with its display range
		ImagePlus gray = OpenImages.open(ij.IJ.createImage("gray stack", "8-bit ramp", 63, 47, 3));
		Path gif = tmp.resolve("gray.gif");
		Ran export = run(ExportVideoCommand.class, true, "image", gray.getTitle(), "file", gif.toFile(), "fps", 5);
		assertTrue(!export.isCanceled(), export.getCancelReason());
		assertTrue(((String) export.getOutput("report")).contains("padded"), (String) export.getOutput("report"));
		List<sc.fiji.stylecrafter.image.RgbImage> back = sc.fiji.stylecrafter.video.VideoReader.all(gif);
		assertEquals(3, back.size());
		assertEquals(64, back.get(0).width());
		Ran notVideo = run(ExportVideoCommand.class, true, "image", gray.getTitle(), "file", tmp.resolve("gray.txt").toFile());
		assertTrue(notVideo.isCanceled() && notVideo.getCancelReason().contains(".mp4, .webm, .gif"), notVideo.getCancelReason());
		ImagePlus result = (ImagePlus) m.getOutput("result");
		Path webm = tmp.resolve("result.webm");
		assertTrue(!run(ExportVideoCommand.class, true, "image", result.getTitle(), "file", webm.toFile()).isCanceled());
		assertEquals(2, sc.fiji.stylecrafter.video.VideoReader.all(webm).size());
	}

	@Test
	void batchFromListWritesEachEntryAndReportsTheBadOne(@TempDir Path tmp) throws Exception {
		Path list = Files.writeString(tmp.resolve("eval.json"), "[{\"prompt\": \"" + GoldenSettings.prompt() + "\", \"style_path\": \""
			+ golden.toAbsolutePath().resolve("style_1.png") + "\"}, {\"prompt\": \"x\", \"style_path\": \"missing.png\"}]");
		Path out = tmp.resolve("results");
		Ran m = run(BatchFromListCommand.class, true, "list", list.toFile(), "out", out.toFile(), "format", "gif", "frames", 2, "width",
			GoldenSettings.width(), "height", GoldenSettings.height(), "steps", 2, "device", "cpu");
		assertTrue(m.isCanceled() && m.getCancelReason().contains("1 of 2 entries failed"), "a failed entry fails the command (a macro stops): "
			+ m.getCancelReason());
		String report = (String) m.getOutput("report");
		assertTrue(report.contains("1 written, 0 skipped (already written with the same inputs), 1 failed"), report);
		assertTrue(Files.readString(out.resolve("index.json")).contains("missing.png"));
		try (var files = Files.list(out)) {
			assertEquals(1, files.filter(p -> p.toString().endsWith(".gif")).count());
		}
		Ran scored = run(ScoreResultsCommand.class, true, "list", list.toFile(), "results", out.toFile(), "device", "cpu");
		assertTrue(scored.isCanceled() && scored.getCancelReason().contains("1 of 2 entries have no scores"), scored.getCancelReason());
		assertTrue(((String) scored.getOutput("report")).startsWith("means: text "), (String) scored.getOutput("report"));
		ij.measure.ResultsTable table = ((ScoreResultsCommand) scored.module().getDelegateObject()).table;
		assertEquals(3, table.size(), "two entries and the means");
		assertTrue(Files.isRegularFile(out.resolve("scores.csv")));
	}

	@Test
	void setUpModelsCopiesFromAFolderAndRefusesAMalformedMirror(@TempDir Path tmp) throws Exception {
		Path dir = tmp.resolve("models");
		try (sc.fiji.stylecrafter.download.ModelServer.Golden g = sc.fiji.stylecrafter.download.ModelServer.golden(golden)) {
			((DefaultStyleCrafterService) service).setCatalogue(g.catalogue());
			Ran bad = run(SetUpModelsCommand.class, true, Map.of("folder", dir.toFile(), "accept", true, "endpoint", "ftp://mirror"));
			assertTrue(bad.isCanceled() && bad.getCancelReason().contains("The mirror (endpoint) 'ftp://mirror' is not a web address"), bad.getCancelReason());
			Files.createDirectories(dir); // the tiny weights need their architecture file
			Files.copy(golden.resolve("config.json"), dir.resolve("config.json"));
			Ran copied = run(SetUpModelsCommand.class, true, Map.of("folder", dir.toFile(), "accept", true, "from", golden.toFile()));
			assertTrue(!copied.isCanceled(), copied.getCancelReason());
			assertEquals(dir, service.modelFolder());
			assertEquals(List.of(), g.server().requests, "copied, not downloaded");
		}
		finally {
			((DefaultStyleCrafterService) service).setCatalogue(sc.fiji.stylecrafter.model.Catalogue.OFFICIAL);
			service.setModelFolder(golden);
		}
	}
}
