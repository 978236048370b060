package sc.fiji.stylecrafter.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.IJ;
import ij.ImagePlus;
import ij.ImageStack;
import ij.WindowManager;
import ij.macro.Interpreter;
import ij.measure.Calibration;
import ij.process.ColorProcessor;
import ij.process.ImageProcessor;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scijava.command.CommandService;
import org.scijava.module.Module;
import org.scijava.module.ModuleService;

import sc.fiji.stylecrafter.image.RgbImage;
import sc.fiji.stylecrafter.model.ModelConfig;
import sc.fiji.stylecrafter.pipeline.GenerationSettings;
import sc.fiji.stylecrafter.pipeline.StyleCrafterPipeline;
import sc.fiji.stylecrafter.testing.RestyleRuns;

/**
 * Restyling an open image from Fiji, through the real ImageJ 1 macro interpreter ({@link LegacyBridge}, batch mode as in
 * a headless Fiji) and through SciJava's ModuleService alone: the golden restyle run's frames from a macro with
 * {@code source=}, every setting from {@code restyle.json}; the result at the source's size, frame count and
 * calibration; bad input named before the model loads.
 */
class RestyleFijiTest extends MacroFixture {

	@TempDir
	Path tmp;

	/** The first restyle run of several frames with style guidance and at most three styles (a video the command can make). */
	static RestyleRuns.Run videoRun() {
		for (String name : RestyleRuns.names()) {
			RestyleRuns.Run r = RestyleRuns.named(name);
			if (r.source() != null && r.sourceFrames().size() > 1 && r.settings().styleGuidance() != null && r.styles().size() <= 3) return r;
		}
		throw new AssertionError(RestyleRuns.FILE + " lists no restyle run of several frames with style guidance");
	}

	/** The frames as an RGB stack: time frames, or slices. */
	static ImagePlus stack(String title, List<RgbImage> frames, boolean asSlices) {
		RgbImage f0 = frames.get(0);
		ImageStack s = new ImageStack(f0.width(), f0.height());
		for (RgbImage f : frames) {
			int[] argb = new int[f.width() * f.height()];
			byte[] rgb = f.rgb();
			for (int i = 0; i < argb.length; i++) argb[i] = 0xFF000000 | (rgb[3 * i] & 0xFF) << 16 | (rgb[3 * i + 1] & 0xFF) << 8 | rgb[3 * i + 2] & 0xFF;
			s.addSlice(new ColorProcessor(f.width(), f.height(), argb));
		}
		ImagePlus imp = new ImagePlus(title, s);
		if (asSlices) imp.setDimensions(1, frames.size(), 1);
		else imp.setDimensions(1, 1, frames.size());
		imp.setOpenAsHyperStack(true);
		return imp;
	}

	/** The styles of a run as macro keys, after opening them: {@code style=style_0.png style2=...}. */
	static String openStyles(RestyleRuns.Run run, StringBuilder code) {
		StringBuilder keys = new StringBuilder();
		for (int i = 0; i < run.styles().size(); i++) {
			Path p = run.styles().get(i);
			code.append("open('").append(MacroTest.q(p)).append("');\n");
			keys.append(i == 0 ? "style=" : " style" + (i + 1) + "=").append(p.getFileName());
		}
		return keys.toString();
	}

	/**
	 * Saves {@code src} as a TIFF (with its calibration), then a macro opens the run's styles and it, and restyles it
	 * at the run's size with {@code keys}, then runs {@code after}.
	 */
	private String[] restyle(RestyleRuns.Run run, ImagePlus src, String keys, String after) {
		Path file = tmp.resolve(src.getTitle() + ".tif");
		IJ.saveAsTiff(src, file.toString());
		StringBuilder code = new StringBuilder();
		String styles = openStyles(run, code);
		code.append("open('").append(MacroTest.q(file)).append("');\n");
		code.append("run('Stylize Video from Reference', '").append(styles).append(" prompt=[").append(run.prompt()).append("] source=").append(file.getFileName())
			.append(" width=").append(run.settings().width()).append(" height=").append(run.settings().height()).append(' ').append(keys).append(" device=cpu');\n");
		return MacroTest.macro(code + after);
	}

	static String resultTitle(RestyleRuns.Run run) {
		return ResultImages.title(run.prompt());
	}

	@Test
	void aMacroRestylesAStackToTheOfficialFramesWithItsCalibration() throws Exception {
		RestyleRuns.Run run = videoRun();
		GenerationSettings s = run.settings();
		ImagePlus src = stack("clip", run.sourceFrames(), false);
		Calibration cal = src.getCalibration();
		cal.pixelWidth = cal.pixelHeight = 0.25;
		cal.setUnit("micron");
		cal.frameInterval = 0.5;
		cal.setTimeUnit("s");
		String[] r = restyle(run, src, "strength=" + run.strength() + " steps=" + s.steps() + " seed=" + s.seed() + " guidance=" + s.textGuidance()
			+ " styleguidance=" + s.styleGuidance() + " window=" + run.window() + " overlap=" + run.overlap(), "print('current ' + getTitle() + ' frames ' + nSlices);\n");
		assertTrue(LegacyBridge.dialogs.isEmpty(), "a dialog would have opened for " + LegacyBridge.dialogs);
		assertTrue(r[0].contains("current " + resultTitle(run) + " frames " + run.sourceFrames().size()), r[0]);
		ImagePlus result = WindowManager.getImage(resultTitle(run));
		assertEquals(run.sourceFrames().size(), result.getNFrames(), "the source's time frames");
		assertEquals(0.25, result.getCalibration().pixelWidth);
		assertEquals("micron", result.getCalibration().getUnit());
		assertEquals(0.5, result.getCalibration().frameInterval, "the source's frame interval, not the model's 8 fps");
		CommandsTest.assertFramesEqualGolden(result, run.name());
		String info = (String) result.getProperty("Info");
		assertTrue(info.contains("\"strength\": " + run.strength()) && info.contains("clip.tif"), info);
	}

	@Test
	void slicesOfAnotherSizeComeBackAtTheirSizeAsSlices() throws Exception {
		RestyleRuns.Run run = videoRun();
		GenerationSettings s = run.settings();
		int w = s.width() * 3 / 2 + 1, h = s.height() * 3 / 2;
		ImagePlus src = stack("slices", run.sourceFrames(), true);
		ImageStack big = new ImageStack(w, h);
		for (int i = 1; i <= src.getStackSize(); i++) {
			ImageProcessor ip = src.getStack().getProcessor(i);
			ip.setInterpolationMethod(ImageProcessor.BILINEAR);
			big.addSlice(ip.resize(w, h));
		}
		src.setStack(big);
		src.getCalibration().pixelDepth = 3;
		src.getCalibration().pixelWidth = 2;
		src.getCalibration().setUnit("mm");
		String[] r = restyle(run, src, "steps=2", ""); // the default strength, window and overlap
		assertTrue(LegacyBridge.dialogs.isEmpty(), "a dialog would have opened for " + LegacyBridge.dialogs);
		ImagePlus result = WindowManager.getImage(resultTitle(run));
		assertTrue(result != null, r[0]);
		assertEquals(w, result.getWidth(), "resized back to the source's width");
		assertEquals(h, result.getHeight());
		assertEquals(run.sourceFrames().size(), result.getNSlices(), "slices stay slices");
		assertEquals(1, result.getNFrames());
		assertEquals(2, result.getCalibration().pixelWidth);
		assertEquals(3, result.getCalibration().pixelDepth);
		String info = (String) result.getProperty("Info");
		assertTrue(info.contains("\"strength\": " + StyleCrafterPipeline.Source.DEFAULT_STRENGTH), info);
	}

	@Test
	void badRestyleInputIsNamedBeforeTheModelLoadsAndStopsTheMacro() throws Exception {
		RestyleRuns.Run run = videoRun();
		int temporal = ModelConfig.read(golden.resolve(ModelConfig.FILE_NAME)).unet().temporalLength();
		int tooWide = StyleCrafterPipeline.maxWindow(ModelConfig.read(golden.resolve(ModelConfig.FILE_NAME))) + 1;
		String base = "newImage('ref', 'RGB noise', 64, 48, 1);\nnewImage('clip', '8-bit ramp', 64, 48, 1, 1, 3);\n"
			+ "run('Stylize Video from Reference', 'style=ref prompt=[" + run.prompt() + "] source=clip ";
		String[][] cases = {
			{ "strength=1.5", "strength 1.5 is out of range; allowed: more than 0 up to 1" },
			{ "strength=0", "strength 0.0 is out of range" },
			{ "window=" + tooWide, "window " + tooWide + " is larger than this model allows" },
			{ "window=" + temporal + " overlap=" + temporal, "overlap " + temporal + " is not smaller than the window " + temporal },
			{ "source=nothere", "there is no open image titled 'nothere' for the source to restyle" } };
		for (String[] c : cases) {
			Interpreter.batchMode = true;
			Path after = tmp.resolve("after.txt");
			String code = base.replace("source=clip ", c[0].startsWith("source=") ? "" : "source=clip ") + c[0] + "');\nFile.saveString('went on', '"
				+ MacroTest.q(after) + "');\n";
			String[] r = MacroTest.macro(code);
			assertFalse(Files.exists(after), c[0] + ": the macro must stop at the error");
			assertTrue(r[0].contains("StyleCrafter error: ") && r[0].contains(c[1]), c[0] + ": " + r[0]);
			OpenImages.closeAll();
		}
	}

	@Test
	void onlyStylePromptAndSourceOpenNoDialogAndGetTheDefaults() {
		LegacyBridge.dryRun = new LinkedHashMap<>();
		MacroTest.macro("newImage('ref', 'RGB noise', 64, 48, 1);\nnewImage('clip', 'RGB noise', 64, 48, 5);\n"
			+ "run('Stylize Video from Reference', 'style=ref prompt=[a cat] source=clip');\n");
		assertTrue(LegacyBridge.dialogs.isEmpty(), "a dialog would have opened for " + LegacyBridge.dialogs);
		assertEquals("clip", LegacyBridge.dryRun.get("source"));
		assertEquals(StyleCrafterPipeline.Source.DEFAULT_STRENGTH, LegacyBridge.dryRun.get("strength"));
		assertEquals(List.of(StyleReferences.NONE, "ref", "clip"), LegacyBridge.dryRun.get("source.choices"));
		LegacyBridge.dryRun = new LinkedHashMap<>();
		MacroTest.macro("newImage('ref', 'RGB noise', 64, 48, 1);\nrun('Stylize Video from Reference', 'style=ref prompt=[a cat]');\n");
		assertEquals(StyleReferences.NONE, LegacyBridge.dryRun.get("source"), "no source: text-to-video as before");
	}

	/** Without ImageJ's macro interpreter: a SciJava script or a headless Fiji's --run. */
	@Test
	void theImageCommandRestylesOnePlaneHeadlessThroughTheModuleService() throws Exception {
		RestyleRuns.Run run = videoRun();
		GenerationSettings s = run.settings();
		ImagePlus src = OpenImages.open(stack("plane", run.sourceFrames(), false));
		src.setT(2); // the current plane is the one restyled
		src.getCalibration().pixelWidth = 0.5;
		OpenImages.openPng(run.styles().get(0), "style");
		Map<String, Object> in = new LinkedHashMap<>();
		in.put("style", "style");
		in.put("prompt", run.prompt());
		in.put("source", "plane");
		in.put("strength", 1.0);
		in.put("width", s.width());
		in.put("height", s.height());
		in.put("steps", 2);
		in.put("device", "cpu");
		in.put("preview", false);
		in.put("plot", false);
		Module m = fixture.context.service(ModuleService.class)
			.run(fixture.context.service(CommandService.class).getCommand(StyleGuidedImageCommand.class), true, in).get();
		ImagePlus result = (ImagePlus) m.getOutput("result");
		assertTrue(result != null, "a result");
		assertEquals(1, result.getStackSize(), "one plane of the stack");
		assertEquals(src.getWidth(), result.getWidth());
		assertEquals(0.5, result.getCalibration().pixelWidth);
	}
}
