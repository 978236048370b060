package sc.fiji.stylecrafter.site;

import ij.IJ;
import ij.ImagePlus;
import ij.macro.Interpreter;

import java.nio.file.Path;
import java.util.Map;

import org.scijava.Context;
import org.scijava.command.Command;
import org.scijava.command.CommandService;
import org.scijava.module.Module;
import org.scijava.module.ModuleService;

import sc.fiji.stylecrafter.plugin.StyleCrafterService;
import sc.fiji.stylecrafter.plugin.StyleGuidedImageCommand;
import sc.fiji.stylecrafter.plugin.StylizeVideoCommand;

/**
 * Runs in a new JVM whose class path is a Fiji.app laid out from the update site (plus this class): opens a style
 * image as headless Fiji would (batch mode), and runs both generation commands on the tiny model through a real
 * SciJava context, the video one also saving an MP4. Arguments: golden folder, prompt, width, height, MP4 path. Prints
 * one line per result; exits 0 only if both gave images of the asked size and the MP4 was written.
 */
public final class FreshFijiRun {

	private FreshFijiRun() {}

	public static void main(String[] args) throws Exception {
		Path golden = Path.of(args[0]);
		Interpreter.batchMode = true;
		ImagePlus style = IJ.openImage(golden.resolve("style_0.png").toString());
		style.setTitle("style_0.png");
		style.show();
		Context context = new Context();
		try {
			context.service(StyleCrafterService.class).setModelFolder(golden);
			ImagePlus video = run(context, StylizeVideoCommand.class, Map.of("style", "style_0.png", "prompt", args[1], "frames", 2, "width",
				Integer.parseInt(args[2]), "height", Integer.parseInt(args[3]), "steps", 2, "device", "cpu", "save", new java.io.File(args[4])));
			System.out.println("video " + video.getWidth() + "x" + video.getHeight() + "x" + video.getStackSize() + " " + video.getBitDepth() + "-bit");
			ImagePlus image = run(context, StyleGuidedImageCommand.class, Map.of("style", "style_0.png", "prompt", args[1],
				"width", Integer.parseInt(args[2]), "height", Integer.parseInt(args[3]), "steps", 2, "device", "cpu"));
			System.out.println("image " + image.getWidth() + "x" + image.getHeight() + "x" + image.getStackSize() + " " + image.getBitDepth() + "-bit");
			boolean ok = video.getStackSize() == 2 && video.getWidth() == Integer.parseInt(args[2]) && image.getStackSize() == 1
				&& image.getHeight() == Integer.parseInt(args[3]) && new java.io.File(args[4]).length() > 0;
			System.out.println("saved " + args[4] + " " + new java.io.File(args[4]).length() + " bytes");
			System.out.println(ok ? "FRESH FIJI OK" : "FRESH FIJI WRONG SIZES");
			System.exit(ok ? 0 : 3);
		}
		finally {
			context.dispose();
		}
	}

	private static ImagePlus run(Context context, Class<? extends Command> command, Map<String, Object> inputs) throws Exception {
		Module m = context.service(ModuleService.class).run(context.service(CommandService.class).getCommand(command), true, inputs).get();
		if (m instanceof org.scijava.Cancelable && ((org.scijava.Cancelable) m).isCanceled()) {
			throw new IllegalStateException(command.getSimpleName() + " was canceled: " + ((org.scijava.Cancelable) m).getCancelReason());
		}
		Object result = m.getOutput("result");
		if (!(result instanceof ImagePlus)) throw new IllegalStateException(command.getSimpleName() + " gave no image");
		return (ImagePlus) result;
	}
}
