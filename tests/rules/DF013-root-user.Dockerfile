FROM debian:12
RUN useradd -u 10001 app
USER app
RUN id
USER 10001
# Switching back to root for the rest of the image.
# expect-next: DF013
USER 0:0
CMD ["/bin/bash"]
