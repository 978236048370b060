package sc.fiji.stylecrafter.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.IJ;
import ij.ImagePlus;
import ij.macro.Interpreter;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import sc.fiji.stylecrafter.engine.install.InstalledRuntime;
import sc.fiji.stylecrafter.engine.install.LibtorchArchive;
import sc.fiji.stylecrafter.engine.install.RuntimeInstaller;
import sc.fiji.stylecrafter.engine.RuntimeSelection;
import org.junit.jupiter.api.io.TempDir;

import sc.fiji.stylecrafter.pipeline.GenerationSettings;

/**
 * Real ImageJ 1 macros (ImageJ's own interpreter, batch mode as in a headless Fiji) calling the commands through
 * {@link LegacyBridge}: a macro with only some keys opens no dialog and gets the documented defaults; the result is the
 * current image that {@code selectImage}, {@code getTitle} and {@code saveAs} reach; an error aborts the macro with a
 * line in the log.
 */
class MacroTest extends MacroFixture {

	/** Runs a macro, returning what ImageJ printed to the log (standard output when headless) and its return value. */
	static String[] macro(String code) {
		PrintStream old = System.out;
		ByteArrayOutputStream buf = new ByteArrayOutputStream();
		System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
		String ret;
		try {
			ret = IJ.runMacro(code);
		}
		finally {
			System.setOut(old);
		}
		return new String[] { buf.toString(StandardCharsets.UTF_8), String.valueOf(ret) };
	}

	static String q(Path p) {
		return p.toString().replace("\\", "/");
	}

	@Test
	void theReadmeMacroRunsWithoutDialogAndItsResultIsTheCurrentImage(@TempDir Path tmp) throws Exception {
		String[] r = macro("open('" + q(golden.resolve("style_0.png")) + "');\n"
			+ "run('Stylize Video from Reference', 'style=style_0.png prompt=[" + GoldenSettings.prompt() + "] frames=2 " + GoldenSettings.quickMacroKeys() + "');\n"
			+ "File.saveString(getTitle(), '" + q(tmp.resolve("current.txt")) + "');\n"
			+ "selectImage('StyleCrafter - " + GoldenSettings.prompt() + "');\n"
			+ "saveAs('Tiff', '" + q(tmp.resolve("fox.tif")) + "');\n"
			+ "File.saveString(getInfo('image.title') + ' ' + nSlices, '" + q(tmp.resolve("saved.txt")) + "');\n"
			+ "run('Export Video (StyleCrafter)...', 'file=[" + q(tmp.resolve("fox.gif")) + "] fps=8');\n");
		assertTrue(Files.isRegularFile(tmp.resolve("fox.gif")), "Export Video from the same macro, on the current image: " + r[0]);
		assertTrue(LegacyBridge.dialogs.isEmpty(), "a dialog would have opened for " + LegacyBridge.dialogs);
		assertEquals("StyleCrafter - " + GoldenSettings.prompt(), Files.readString(tmp.resolve("current.txt")), r[0]);
		assertEquals("fox.tif 2", Files.readString(tmp.resolve("saved.txt")), r[0]);
		ImagePlus saved = IJ.openImage(tmp.resolve("fox.tif").toString());
		assertEquals(2, saved.getStackSize());
		assertTrue(((String) saved.getProperty("Info")).contains("\"style_references\": 1"), "style2/style3 default to none");
	}

	@Test
	void theGpuRuntimeInstallsOfflineFromAMacro(@TempDir Path tmp) throws Exception {
		org.junit.jupiter.api.Assumptions.assumeTrue(LibtorchArchive.currentClassifier().equals("linux-x86_64"), "the CPU jar on the class path is for linux-x86_64");
		sc.fiji.stylecrafter.testing.CpuLibtorch.unpack(tmp.resolve("unpacked")); // a real libtorch: the install loads it in a separate process first
		Path root = tmp.resolve("runtime");
		System.setProperty(RuntimeInstaller.FOLDER_PROPERTY, root.toString());
		try {
			String[] r = macro("run('Install GPU Runtime...', 'from=[" + q(tmp.resolve("unpacked")) + "]');\n");
			assertTrue(LegacyBridge.dialogs.isEmpty(), "a dialog would have opened for " + LegacyBridge.dialogs);
			List<InstalledRuntime> installed = RuntimeSelection.installed(root, LibtorchArchive.currentClassifier());
			assertEquals(1, installed.size(), r[0]);
			assertTrue(Files.isRegularFile(installed.get(0).libDir().resolve(System.mapLibraryName("torch"))));
			String[] bad = macro("run('Install GPU Runtime...', 'from=[" + q(tmp.resolve("nothing-here")) + "]');\n");
			assertTrue(bad[0].contains("nothing-here does not exist"), "a clear error: " + bad[0]);
			Path fake = tmp.resolve("fake/libtorch/lib");
			Files.createDirectories(fake);
			Files.write(fake.resolve(System.mapLibraryName("torch")), new byte[] { 0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 62, 0 });
			Files.writeString(fake.resolveSibling("build-version"), "2.7.1+cu128\n");
			String[] refused = macro("run('Install GPU Runtime...', 'from=[" + q(tmp.resolve("fake")) + "]');\n");
			assertTrue(refused[0].contains("does not load on this machine") && refused[0].contains("Nothing was installed"), "refused after loading it: " + refused[0]);
			assertEquals(1, RuntimeSelection.installed(root, LibtorchArchive.currentClassifier()).size(), "the installed runtime is untouched");
			if (!sc.fiji.stylecrafter.engine.NvidiaDriver.probe().found()) { // as on the test machines: no download where no GPU can use it
				long before = Files.walk(root).count();
				String[] noDriver = macro("run('Install GPU Runtime...', '');\n");
				assertTrue(noDriver[0].contains("not needed on this machine: no NVIDIA driver is installed") && noDriver[0].contains("nothing was downloaded"),
					noDriver[0]);
				assertEquals(before, Files.walk(root).count(), "nothing was written");
			}
		}
		finally {
			System.clearProperty(RuntimeInstaller.FOLDER_PROPERTY);
		}
	}

	@Test
	void onlyStyleAndPromptGiveTheDocumentedDefaults() {
		LegacyBridge.dryRun = new LinkedHashMap<>();
		macro("newImage('ref', 'RGB noise', 64, 48, 1);\nrun('Stylize Video from Reference', 'style=ref prompt=[a cat]');\n");
		assertTrue(LegacyBridge.dialogs.isEmpty(), "a dialog would have opened for " + LegacyBridge.dialogs);
		Map<String, Object> in = LegacyBridge.dryRun;
		GenerationSettings v = GenerationSettings.video();
		assertEquals("ref", in.get("style"));
		assertEquals(StyleReferences.NONE, in.get("style2"));
		assertEquals(StyleReferences.NONE, in.get("style3"));
		assertEquals(v.frames(), in.get("frames"));
		assertEquals(v.width(), in.get("width"));
		assertEquals(v.height(), in.get("height"));
		assertEquals(v.steps(), in.get("steps"));
		assertEquals((double) v.textGuidance(), in.get("guidance"));
		assertEquals((double) v.styleGuidance(), in.get("styleguidance"));
		assertEquals(GenerationSettings.DEFAULT_SEED, in.get("seed"));
		assertEquals(false, in.get("preview"), "no preview window in macros unless asked for");
		assertEquals(List.of("ref"), in.get("style.choices"), "the dialog lists each open image once, by title");
		assertEquals(List.of(StyleReferences.NONE, "ref"), in.get("style2.choices"), "optional references offer none first");
		LegacyBridge.dryRun = new LinkedHashMap<>();
		macro("newImage('ref2', 'RGB noise', 64, 48, 1);\nrun('Style-Guided Image', 'style=ref2 prompt=[a cat] preview=true');\n");
		GenerationSettings i = GenerationSettings.image();
		assertEquals(i.width(), LegacyBridge.dryRun.get("width"));
		assertEquals((double) i.textGuidance(), LegacyBridge.dryRun.get("guidance"));
		assertEquals(true, LegacyBridge.dryRun.get("preview"));
	}

	@Test
	void exportVideoWithoutImageExportsTheMacrosCurrentImageNotTheLastResult(@TempDir Path tmp) throws Exception {
		Path gif = tmp.resolve("ramp.gif");
		String[] r = macro("open('" + q(golden.resolve("style_0.png")) + "');\n"
			+ "run('Style-Guided Image', 'style=style_0.png prompt=[" + GoldenSettings.prompt() + "] " + GoldenSettings.quickMacroKeys() + "');\n"
			+ "newImage('ramp16', '16-bit ramp', 95, 63, 5);\n"
			+ "selectImage('ramp16');\n"
			+ "run('Export Video (StyleCrafter)...', 'file=[" + q(gif) + "] fps=4');\n");
		java.util.List<sc.fiji.stylecrafter.image.RgbImage> frames = sc.fiji.stylecrafter.video.VideoReader.all(gif);
		assertEquals(5, frames.size(), r[0]);
		assertEquals(96, frames.get(0).width(), "95 pixels, padded to an even width");
		assertTrue(r[0].contains("StyleCrafter: wrote 5 frames of 96x64"), "the report goes to the Log in a macro: " + r[0]);
	}

	@Test
	void theStyleScalesArePlottedOnRequestAndTheResultStaysCurrent(@TempDir Path tmp) throws Exception {
		String title = "StyleCrafter - " + GoldenSettings.prompt();
		String[] r = macro("open('" + q(golden.resolve("style_0.png")) + "');\n"
			+ "run('Style-Guided Image', 'style=style_0.png prompt=[" + GoldenSettings.prompt() + "] plot=true " + GoldenSettings.quickMacroKeys() + "');\n"
			+ "print('current ' + getTitle() + ' label [' + getInfo('slice.label') + ']');\n"
			+ "selectImage('Style scales - " + title + "');\n"
			+ "Plot.getValues(x, y);\n"
			+ "print('layers ' + x.length);\n");
		assertTrue(r[0].contains("current " + title + " label []"), "the result is current; one image has no frame label: " + r[0]);
		assertTrue(r[0].contains("layers 16"), r[0]);
		ImagePlus result = ij.WindowManager.getImage(title);
		float[] scales = StyleScalesPlot.scales(result);
		assertEquals(16, scales.length);
		Interpreter.batchMode = true;
		OpenImages.closeAll();
		String[] none = macro("open('" + q(golden.resolve("style_0.png")) + "');\n"
			+ "run('Style-Guided Image', 'style=style_0.png prompt=[" + GoldenSettings.prompt() + "] " + GoldenSettings.quickMacroKeys() + "');\n"
			+ "print('open ' + nImages);\n");
		assertTrue(none[0].contains("open 2"), "no plot unless asked for in a macro: " + none[0]);
	}

	@Test
	void scoresAreImageJsResultsTableAndNoTextWindowOpens(@TempDir Path tmp) throws Exception {
		Path list = Files.writeString(tmp.resolve("eval.json"), "[{\"prompt\": \"" + GoldenSettings.prompt() + "\", \"style_path\": \""
			+ q(golden.toAbsolutePath().resolve("style_1.png")) + "\"}]");
		Path out = tmp.resolve("results");
		int displays = fixture.context.service(org.scijava.display.DisplayService.class).getDisplays().size();
		String[] r = macro("run('Batch from List (StyleCrafter)...', 'list=[" + q(list) + "] out=[" + q(out) + "] format=tif frames=2 width=" + GoldenSettings.width()
			+ " height=" + GoldenSettings.height() + " steps=2 device=cpu');\n"
			+ "run('Score Results (StyleCrafter)...', 'list=[" + q(list) + "] results=[" + q(out) + "] device=cpu');\n"
			+ "print('rows ' + nResults + ' last ' + getResultString('entry', nResults - 1) + ' text ' + (getResult('text', 0) != 0));\n");
		assertTrue(r[0].contains("rows 2 last mean text 1"), r[0]);
		assertTrue(r[0].contains("StyleCrafter: 1 written, 0 skipped"), "the batch's report in the Log: " + r[0]);
		assertEquals(displays, fixture.context.service(org.scijava.display.DisplayService.class).getDisplays().size(),
			"no text window (display) for the reports");
	}

	@Test
	void anErrorAbortsTheMacroWithALineInTheLog(@TempDir Path tmp) throws Exception {
		java.util.List<String> errors = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
		org.scijava.log.LogListener listener = m -> {
			if (m.level() <= org.scijava.log.LogLevel.WARN) errors.add(m.text());
		};
		fixture.context.service(org.scijava.log.LogService.class).addLogListener(listener);
		String[] r = macro("newImage('ref', 'RGB noise', 64, 48, 1);\n"
			+ "run('Stylize Video from Reference', 'style=nothere.png prompt=[a cat] frames=2 " + GoldenSettings.quickMacroKeys() + "');\n"
			+ "File.saveString('went on', '" + q(tmp.resolve("after.txt")) + "');\n");
		assertFalse(Files.exists(tmp.resolve("after.txt")), "the macro must stop at the error");
		assertTrue(r[0].contains("StyleCrafter error: there is no open image titled 'nothere.png'") && r[0].contains("open images: ref"), r[0]);
		assertTrue(errors.isEmpty(), "one notice only: nothing at error level for the Console (" + errors + ")");
		assertTrue(!r[0].contains("ThreadDeath") && !r[0].contains("Exception"), "no Java noise: " + r[0]);
		fixture.context.service(org.scijava.log.LogService.class).removeLogListener(listener);
		Interpreter.batchMode = true;
		String[] bad = macro("run('Set Model Folder...', 'folder=[" + q(tmp) + "]');\nFile.saveString('went on', '" + q(tmp.resolve("after2.txt")) + "');\n");
		assertFalse(Files.exists(tmp.resolve("after2.txt")), "a rejected model folder stops the macro");
		assertTrue(bad[0].contains("StyleCrafter error: The model folder") && bad[0].contains("missing model.ckpt"), bad[0]);
		assertEquals(golden.toAbsolutePath(), service.modelFolder(), "the rejected folder is not remembered");
		Interpreter.batchMode = true;
		String[] empty = macro("newImage('ref', 'RGB noise', 64, 48, 1);\nrun('Style-Guided Image', 'style=ref prompt=[ ]');\nFile.saveString('x', '"
			+ q(tmp.resolve("after3.txt")) + "');\n");
		assertFalse(Files.exists(tmp.resolve("after3.txt")));
		assertTrue(empty[0].contains("prompt is empty"), empty[0]);
		if (!sc.fiji.stylecrafter.engine.NvidiaDriver.probe().found()) { // one GPU of several, by number: here none can be used, and the macro is told why
			Interpreter.batchMode = true;
			String[] gpu1 = macro("newImage('ref', 'RGB noise', 64, 48, 1);\nrun('Style-Guided Image', 'style=ref prompt=[a cat] device=gpu:1');\n");
			assertTrue(gpu1[0].contains("a GPU was asked for but cannot be used"), gpu1[0]);
		}
	}

	@Test
	void grayStacksGiveOneReferencePerSliceAndCompositesOnePerPosition() {
		ImagePlus gray3 = OpenImages.open(IJ.createImage("gray3", "16-bit ramp", 32, 32, 3));
		assertEquals(3, StyleReferences.count(gray3));
		assertEquals(3, StyleReferences.of(gray3, "gray3").size());
		ImagePlus frames4 = IJ.createImage("frames4", "8-bit ramp", 32, 32, 1, 1, 4);
		assertEquals(4, StyleReferences.of(frames4, "frames4").size());
		ImagePlus composite = IJ.createImage("c", "8-bit ramp", 32, 32, 3, 2, 1);
		assertEquals(2, StyleReferences.of(composite, "c").size(), "3 channels x 2 slices: 2 colour references");
		ImagePlus rgba = IJ.createImage("c4", "8-bit ramp", 32, 32, 4, 1, 1);
		assertEquals(1, StyleReferences.of(rgba, "c4").size());
		ImagePlus rgbStack = IJ.createImage("rgb", "RGB ramp", 32, 32, 3);
		assertEquals(3, StyleReferences.of(rgbStack, "rgb").size());
	}

	@Test
	void setUpModelsDownloadsVerifiesAndUsesTheFolder(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
		Path dir = tmp.resolve("downloaded models");
		try (sc.fiji.stylecrafter.download.ModelServer.Golden g = sc.fiji.stylecrafter.download.ModelServer.golden(golden)) {
			((DefaultStyleCrafterService) service).setCatalogue(g.catalogue());
			String[] refused = macro("run(\"Set Up Models...\", \"folder=[" + dir + "]\");");
			assertTrue(refused[0].contains("licence terms") && refused[0].contains("non-commercial"), refused[0]);
			assertEquals(0, g.server().requests.size(), "nothing is fetched before the terms are accepted");
			java.nio.file.Files.createDirectories(dir); // the tiny weights need their architecture file
			java.nio.file.Files.copy(golden.resolve("config.json"), dir.resolve("config.json"));
			String[] done = macro("run(\"Set Up Models...\", \"folder=[" + dir + "] accept=true\");");
			assertEquals(List.of(), LegacyBridge.dialogs, "no dialog in a macro");
			assertEquals(dir, service.modelFolder(), done[0]);
			for (var s : sc.fiji.stylecrafter.setup.ModelSetup.status(g.catalogue(), dir)) {
				assertEquals(sc.fiji.stylecrafter.setup.ModelSetup.State.VERIFIED, s.state(), s.toString());
			}
		}
		finally {
			((DefaultStyleCrafterService) service).setCatalogue(sc.fiji.stylecrafter.model.Catalogue.OFFICIAL);
			service.setModelFolder(golden);
		}
	}
}
